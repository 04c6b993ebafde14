"""Communications through signed requests to the web process: a war room's purpose loses
what the redactor flags (with a timeline note), a customer update shows the customer's
status words and nothing of internal names or internal fields, and executives get one
brief per event: declaration, update, each severity change (down and up again, to a
severity already declared), resolution; nothing else."""

from sqlalchemy import select

from app.models import RoleAssignment
from tests.e2e.test_actions import answers
from tests.e2e.test_intake import card, modal_of, open_via_command
from tests.e2e.test_war_room import events, room_of

ACME_CHANNEL = "C0SEA2S2ADG"
COPIED = "The primary processor's certificate expired overnight"


def briefs(sim, user, key):
    return [
        o.text for o in sim.seen_by(user) if o.kind == "dm" and f"Executive brief: {key}" in o.text
    ]


def wait_briefs(sim, user, key, count):
    def enough():
        found = briefs(sim, user, key)
        return found if len(found) >= count else None

    return sim.wait_for(enough, what=f"{count} brief(s) to {user}")


def test_a_sev1s_comms_from_declaration_to_resolution(web, sim, ws, sessions):
    helen, marcus = ws.users["helen.carter"], ws.users["marcus.bell"]
    support = ws.channels["support"]
    _, ticket = open_via_command(  # an approver declares: no gate
        sim,
        ws,
        sessions,
        helen,
        "Checkout down, mail ops@acme-bank.example",
        description=f"{COPIED}. Tom is rotating it.",
    )
    key = ticket.key
    room = room_of(sim, sessions, ticket).slack_id
    sim.settle()

    # the purpose shows the title redacted; the timeline says how many of which kind
    purposes = [c.args for c in sim.calls if c.method == "conversations.setPurpose"]
    mine = [p for p in purposes if key in str(p)]
    assert mine and "ops@" not in str(mine) and "[redacted: email]" in str(mine[-1])
    [note] = [
        e for e in events(sessions, ticket, "redacted") if e.after["where"] == "war room purpose"
    ]
    assert note.after == {"email": 1, "where": "war room purpose"} and "ops@" not in str(note.note)
    assert len(wait_briefs(sim, marcus, key, 1)) == 1  # declared

    with sessions() as db:
        ic = db.scalar(
            select(RoleAssignment.user_id).where(
                RoleAssignment.ticket_id == ticket.id, RoleAssignment.role == "ic"
            )
        )
    sim.slash_command(ic, room, "update")
    modal_of(sim, ic)
    told = f"Tom says: {COPIED.lower()}; Sam and Wei are on it. AL-123 is the change."
    sim.submit_view(
        ic,
        {
            "update_status": "Mitigating",
            "current_state": "Failing over",
            "actions": "Rotating the certificate",
            "customer_update": "yes",
            "customer_text": told,
        },
    )
    wait_briefs(sim, marcus, key, 2)  # the update
    dm = sim.dm_channel(ic)
    preview = sim.wait_for(
        lambda: [m for m in sim.messages(dm) if "customer_send" in str(m.get("blocks"))],
        what="the customer preview",
    )[-1]
    before = len(sim.messages(ACME_CHANNEL))
    sim.click(ic, "customer_send", channel_id=dm, ts=preview["ts"])
    sent = sim.wait_for(
        lambda: sim.messages(ACME_CHANNEL)[before:] or None, what="the customer update"
    )[0]["text"]
    assert "*Status:* Investigating" in sent  # customer words, not "In progress"
    assert "In progress" not in sent and "L1" not in sent and "Payments" not in sent
    assert "certificate" not in sent and "[redacted: internal field]" in sent
    for name in ("Tom", "Sam", "Wei"):
        assert name not in sent
    assert "AL-123" in sent  # a change number is not a name
    kinds = [e.after for e in events(sessions, ticket, "redacted")]
    assert {
        "internal field": 1,
        "internal name": 3,
        "email": 1,
        "where": "customer update",
    } in kinds

    sim.slash_command(helen, support, f"sev {key} 2 contained to one region")
    answers(sim, helen, f"*{key}* is now Sev2")
    wait_briefs(sim, marcus, key, 3)  # lowered
    sim.slash_command(helen, support, f"sev {key} 1 spreading again")
    answers(sim, helen, f"*{key}* is now Sev1")
    wait_briefs(sim, marcus, key, 4)  # raised again to an already declared Sev1
    sim.slash_command(helen, support, f"resolve {key} Certificate rotated")
    modal_of(sim, helen)
    sim.submit_view(helen, {"root_cause": "Third-party provider"})
    sim.wait_for(lambda: card(sessions, key).status.value == "resolved", what="resolved")
    wait_briefs(sim, marcus, key, 5)
    sim.settle()

    heads = [text.split("\n")[0] for text in briefs(sim, marcus, key)]
    assert heads == [
        f"Executive brief: {key} declared",
        f"Executive brief: {key} situation update",
        f"Executive brief: {key} severity changed",
        f"Executive brief: {key} severity changed",
        f"Executive brief: {key} resolved",
    ]
    assert len(briefs(sim, helen, key)) == 5  # executive, sponsor and informed: once each
    assert len(events(sessions, ticket, "comms.briefed")) == 5
