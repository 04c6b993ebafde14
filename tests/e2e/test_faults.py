"""What a person sees when Slack fails around a change they made (signed requests)."""

from tests.e2e.test_actions import answers
from tests.e2e.test_intake import card, modal_of, open_via_command


def test_resolve_while_slack_fails_is_told_the_truth(web, sim, ws, sessions):
    _, ticket = open_via_command(sim, ws, sessions, ws.users["amara.okafor"], "Fee question")
    amara = ws.users["amara.okafor"]
    sim.click(amara, "ticket_resolve", channel_id=ticket.card_channel, ts=ticket.card_ts)
    modal_of(sim, amara)
    sim.faults.inject("chat.postMessage", "server_error", times=2)
    sim.submit_view(amara, {"summary": "Explained the fee schedule"})
    answers(sim, amara, f"*{ticket.key}* is resolved", kinds=("dm",))
    assert card(sessions, ticket.key).status.value == "resolved"
    told = [o.text or "" for o in sim.seen_by(amara) if o.kind == "dm"]
    assert not any("nothing was changed" in text for text in told)
