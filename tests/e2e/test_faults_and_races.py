"""What a person sees when Slack fails around a change they made (signed requests)."""

from tests.e2e.test_actions import answers
from tests.e2e.test_intake import card, modal_of, open_via_command


def test_resolve_while_slack_fails_is_told_the_truth(web, sim, ws, sessions):
    _, ticket = open_via_command(sim, ws, sessions, ws.users["amara.okafor"], "Fee question")
    amara = ws.users["amara.okafor"]
    sim.click(amara, "ticket_resolve", channel_id=ticket.card_channel, ts=ticket.card_ts)
    modal_of(sim, amara)
    sim.faults.inject("chat.postMessage", "server_error", times=2)
    sim.submit_view(amara, {"summary": "Explained the fee schedule", "root_cause": "Unknown"})
    answers(sim, amara, f"*{ticket.key}* is resolved", kinds=("dm",))
    assert card(sessions, ticket.key).status.value == "resolved"
    told = [o.text or "" for o in sim.seen_by(amara) if o.kind == "dm"]
    assert not any("nothing was changed" in text for text in told)


def test_two_escalations_from_forms_opened_at_l1_climb_once(web, sim, ws, sessions):
    _, ticket = open_via_command(sim, ws, sessions, ws.users["amara.okafor"], "Payouts stuck")
    tom, amara = ws.users["tom.hughes"], ws.users["amara.okafor"]
    for who in (tom, amara):
        sim.click(who, "ticket_escalate", channel_id=ticket.card_channel, ts=ticket.card_ts)
        modal_of(sim, who)
    sim.submit_view(tom, {"handoff_note": "Retried twice"})
    sim.wait_for(lambda: card(sessions, ticket.key).tier == "L2", what="the first climb")
    sim.submit_view(amara, {"handoff_note": "Customer is waiting"})
    answers(sim, amara, "was escalated to L2 while your form was open", kinds=("dm",))
    sim.settle()
    assert card(sessions, ticket.key).tier == "L2"


def test_a_stale_severity_form_changes_nothing(web, sim, ws, sessions):
    mild = {"impact": "One customer asked about a fee", "customer": "initech"}
    _, ticket = open_via_command(sim, ws, sessions, ws.users["amara.okafor"], "Fee", **mild)
    assert ticket.severity > 2
    amara = ws.users["amara.okafor"]
    sim.click(amara, "ticket_severity", channel_id=ticket.card_channel, ts=ticket.card_ts)
    modal_of(sim, amara)
    sim.slash_command(amara, ws.channels["support"], f"sev {ticket.key} 2 customer escalated")
    answers(sim, amara, "is now Sev2")
    sim.submit_view(amara, {"new_severity": "1", "reason": "the whole region is down"})
    answers(sim, amara, "became Sev2 while your form was open", kinds=("dm",))
    assert card(sessions, ticket.key).severity == 2
