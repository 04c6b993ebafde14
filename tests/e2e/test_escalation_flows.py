"""Issue 3 through signed requests: manual escalation with a handoff note, severity
change, wait/resume, resolve, App Home sorted by risk."""

from app import deadlines
from tests.e2e.test_actions import answers
from tests.e2e.test_intake import card, modal_of, open_via_command


def timers_of(sessions, ticket) -> dict:
    with sessions() as db:
        return deadlines.pending(db, "ticket", [ticket.id])[ticket.id]


def thread(sim, ticket):
    return [
        m["text"]
        for m in sim.messages(ticket.card_channel)
        if m.get("thread_ts") == ticket.card_ts and m["ts"] != ticket.card_ts
    ]


def test_escalate_button_asks_for_a_handoff_note_and_hands_off(web, sim, ws, sessions):
    _, ticket = open_via_command(sim, ws, sessions, ws.users["amara.okafor"], "Payouts delayed")
    tom = ws.users["tom.hughes"]
    sim.click(tom, "ticket_escalate", channel_id=ticket.card_channel, ts=ticket.card_ts)
    modal = modal_of(sim, tom)
    assert modal["callback_id"] == "ticket_escalate" and "Handoff note" in str(modal["blocks"])
    answer = sim.submit_view(tom, {"handoff_note": "   "})
    assert "handoff_note" in answer.errors, "an empty note is refused inline"
    sim.submit_view(tom, {"handoff_note": "Re-ran the payout job twice; <!here> same error"})
    sim.wait_for(lambda: card(sessions, ticket.key).tier == "L2", what="the ticket climbs to L2")
    priya = ws.users["priya.shah"]
    dm = sim.wait_for(
        lambda: [
            o
            for o in sim.seen_by(priya)
            if o.kind == "dm" and f"{ticket.key} is handed to you" in o.text
        ],
        what="the L2 primary's handoff DM",
    )
    assert "Re-ran the payout job twice" in str(dm[-1].blocks)
    assert "&lt;!here&gt;" in str(dm[-1].blocks)
    sim.settle()
    assert any("Escalated to L2 by" in t for t in thread(sim, ticket))
    sim.slash_command(priya, ws.channels["support"], f"ack {ticket.key}")
    answers(sim, priya, f"You accepted *{ticket.key}* and own it at L2")
    assert card(sessions, ticket.key).owner_id == priya


def test_escalate_command_prefills_the_note_and_outsiders_are_refused(web, sim, ws, sessions):
    _, ticket = open_via_command(sim, ws, sessions, ws.users["amara.okafor"], "Refund stuck")
    outsider = ws.users["wei.lim"]
    sim.slash_command(outsider, ws.channels["support"], f"escalate {ticket.key} please")
    answers(sim, outsider, "Only members of the Payments team")
    assert not sim.views_of(outsider), "no form opens for someone who may not act"
    amara = ws.users["amara.okafor"]
    sim.slash_command(amara, ws.channels["support"], f"escalate {ticket.key} tried a refund")
    note = next(b for b in modal_of(sim, amara)["blocks"] if b.get("block_id") == "handoff_note")
    assert note["element"]["initial_value"] == "tried a refund"


def test_severity_change_retargets_and_is_on_the_thread(web, sim, ws, sessions):
    _, ticket = open_via_command(sim, ws, sessions, ws.users["amara.okafor"], "Checkout outage")
    amara, helen = ws.users["amara.okafor"], ws.users["helen.carter"]  # Helen approves
    before = ticket.response_due_at
    sim.slash_command(amara, ws.channels["support"], f"sev {ticket.key} 3 only one merchant")
    answers(sim, amara, "Lowering a Sev1 needs its incident commander, an approver")
    sim.slash_command(helen, ws.channels["support"], f"sev {ticket.key} 3 only one merchant")
    answers(sim, helen, f"*{ticket.key}* is now Sev3")
    changed = card(sessions, ticket.key)
    assert changed.severity == 3 and changed.response_due_at > before
    sim.settle()
    assert any("Sev1 → Sev3" in t and "only one merchant" in t for t in thread(sim, ticket))
    sim.slash_command(amara, ws.channels["support"], f"sev {ticket.key} 7")
    answers(sim, amara, "Severity is 1, 2, 3 or 4")
    sim.click(amara, "ticket_severity", channel_id=ticket.card_channel, ts=ticket.card_ts)
    modal_of(sim, amara)
    sim.submit_view(amara, {"new_severity": "2", "reason": "spreading"})
    sim.wait_for(lambda: card(sessions, ticket.key).severity == 2, what="Sev2 from the modal")


def test_wait_resume_and_resolve(web, sim, ws, sessions):
    _, ticket = open_via_command(sim, ws, sessions, ws.users["amara.okafor"], "Question on fees")
    amara, support = ws.users["amara.okafor"], ws.channels["support"]
    sim.slash_command(amara, support, f"wait {ticket.key}")
    answers(sim, amara, "the resolution clock is paused")
    paused = card(sessions, ticket.key)
    assert paused.status.value == "waiting_on_customer" and paused.pauses[-1][1] is None
    sim.slash_command(amara, support, f"wait {ticket.key}")
    answers(sim, amara, "is already waiting on the customer")
    sim.slash_command(amara, support, f"resume {ticket.key}")
    answers(sim, amara, "the resolution clock runs again")
    assert card(sessions, ticket.key).resolution_due_at >= paused.resolution_due_at
    sim.click(amara, "ticket_resolve", channel_id=ticket.card_channel, ts=ticket.card_ts)
    modal_of(sim, amara)
    # a Sev2 (which this one is, by the playbook's rules) needs a root-cause category
    sim.submit_view(amara, {"summary": "Explained the fee schedule", "root_cause": "Unknown"})
    sim.wait_for(lambda: card(sessions, ticket.key).status.value == "resolved", what="resolved")
    done = card(sessions, ticket.key)
    after = {"channel.archive", "confirmation.close", "review.remind_ic", "review.remind_manager"}
    assert (
        set(timers_of(sessions, done)) <= after  # no SLA timer: a swarm, the reporter, a review
        and done.resolution_summary == "Explained the fee schedule"
    )
    sim.settle()
    assert "ticket_resolve" not in str(sim.message(done.card_channel, done.card_ts)["blocks"])


def listed(home: dict, header: str) -> list[str]:
    """The ticket keys under `header` on App Home, in order."""
    blocks, keys, inside = home["blocks"], [], False
    for block in blocks:
        if block["type"] == "header":
            inside = block["text"]["text"] == header
        elif inside and block.get("accessory"):
            keys.append(block["accessory"]["value"])
    return keys


def test_app_home_puts_the_riskiest_first_and_opens_a_ticket(web, sim, ws, sessions):
    amara = ws.users["sofia.marin"]  # few tickets of her own in the shared test database
    _, question = open_via_command(
        sim,
        ws,
        sessions,
        amara,
        "Question about invoices",
        description="How do I read the new invoice layout?",
        impact="One merchant is asking",
    )
    assert question.severity == 4
    _, urgent = open_via_command(sim, ws, sessions, amara, "Checkout outage again")  # Sev1
    sim.open_app_home(amara)
    home = sim.wait_for(lambda: sim.home_of(amara), what="App Home")
    headers = [b["text"]["text"] for b in home["blocks"] if b["type"] == "header"]
    assert headers == ["Breached", "At risk", "My open tickets", "My teams' queues", "The numbers"]
    mine = listed(home, "My open tickets")
    assert urgent.key in mine and question.key in mine
    assert mine.index(urgent.key) < mine.index(question.key), "nearest due time first"
    sim.click(amara, "ticket_open", view_id=home["id"], value=urgent.key)
    opened = modal_of(sim, amara)
    assert urgent.key in str(opened["title"]) and "due" in str(opened["blocks"])
