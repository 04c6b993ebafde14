"""A ticket life that holds, through signed requests and the clock: an unowned ticket that
climbs reads as awaiting acceptance, and the manager is not promised a next person."""

from slack_sdk import WebClient

from app import clock
from app.runtime import Relay
from tests.e2e.test_escalation_flows import thread
from tests.e2e.test_intake import card, modal_of, open_via_command


def run_clock(sim, sessions, playbook, at) -> None:
    """What the clock process does at `at`: fire the due timers and deliver."""
    client = WebClient(token=sim.bot_token, base_url=sim.api_url)
    clock.tick(Relay(playbook, sessions, client, now=lambda: at))
    sim.settle()


def card_text(sim, ticket) -> str:
    return str(sim.message(ticket.card_channel, ticket.card_ts)["blocks"])


def test_unowned_escalation_awaits_acceptance_and_the_manager_is_last(
    web, sim, ws, sessions, playbook
):
    amara, tom = ws.users["amara.okafor"], ws.users["tom.hughes"]
    _, ticket = open_via_command(
        sim,
        ws,
        sessions,
        amara,
        "Question about payout files",  # Sev4: handoffs expire long before the response target
        description="Which file format does the bank want now?",
        impact="One merchant asks",
        customer=None,
    )
    assert ticket.severity == 4
    sim.click(tom, "ticket_escalate", channel_id=ticket.card_channel, ts=ticket.card_ts)
    modal_of(sim, tom)
    sim.submit_view(tom, {"handoff_note": "Bank says the file format changed"})
    sim.wait_for(lambda: card(sessions, ticket.key).tier == "L2", what="the climb to L2")
    sim.settle()
    shown = card_text(sim, ticket)
    assert "In progress" not in shown and "nobody" not in shown
    assert "Awaiting acceptance at L2" in shown
    assert f"unassigned — offered to <@{ws.users['priya.shah']}>" in shown

    for _ in ("secondary", "manager"):  # nobody accepts in time
        run_clock(sim, sessions, playbook, card(sessions, ticket.key).handoff_due_at)
    ticket = card(sessions, ticket.key)
    assert ticket.handoff_step == "manager" and ticket.status.value == "open"
    james = ws.users["james.whitfield"]
    offer = sim.wait_for(
        lambda: [o for o in sim.seen_by(james) if o.kind == "dm" and "handed to you" in o.text],
        what="the manager's handoff DM",
    )
    text = str(offer[-1].blocks)
    assert "goes to" not in text and "you are the last step of the handoff" in text
    assert f"unassigned — offered to <@{james}>" in card_text(sim, ticket)

    sim.click(james, "handoff_accept", channel_id=offer[-1].channel, ts=offer[-1].ts)
    sim.wait_for(lambda: card(sessions, ticket.key).owner_id == james, what="accepted")
    sim.settle()
    shown = card_text(sim, ticket)
    assert "In progress" in shown and f"*Owner*\\n<@{james}>" in shown
    assert any("accepted and owns" in t for t in thread(sim, ticket))
