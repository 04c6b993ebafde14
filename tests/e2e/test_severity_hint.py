"""The new-ticket form shows the severity the ticket will get, and the ticket gets it."""

from tests.e2e.test_intake import VALUES, card, latest_ticket, modal_of, ticket_count


def hint(sim, user) -> str:
    blocks = {b["block_id"]: b for b in sim.views_of(user)[-1]["blocks"]}
    return blocks["severity"]["hint"]["text"]


def test_the_hint_follows_team_and_text_and_the_ticket_gets_it(web, sim, ws, sessions, playbook):
    agent = ws.users["tom.hughes"]
    sim.slash_command(agent, ws.channels["support"], "new Checkout outage")
    modal_of(sim, agent)
    assert "Relay suggests Sev2" in hint(sim, agent)  # "outage" alone: partial outage

    sim.click(agent, "team", selected_option="payments")
    shown = sim.wait_for(lambda: "Sev1" in hint(sim, agent) and hint(sim, agent))
    assert "matched 'outage', service Payments" in shown
    sim.click(agent, "title", value="Checkout slow")
    sim.wait_for(lambda: "Sev2" in hint(sim, agent), what="the hint follows the title")
    sim.click(agent, "title", value="Checkout outage")
    sim.wait_for(lambda: "Sev1" in hint(sim, agent), what="and back")
    updates = [o for o in sim.observations if o.kind == "view_updated" and o.user == agent]
    assert len(updates) >= 3

    before = ticket_count(sessions)
    sim.submit_view(agent, {**VALUES, "impact": "Some shoppers in the EU"})
    sim.wait_for(lambda: ticket_count(sessions) > before, what="the ticket is stored")
    ticket = latest_ticket(sessions, agent)
    assert (ticket.severity, ticket.suggested_severity) == (1, 1)
    assert ticket.severity_reason == "matched 'outage', service Payments"
    posted = sim.wait_for(lambda: card(sessions, ticket.key).card_ts, what="the card")
    queue = playbook.teams["payments"].queue_channel
    assert "Sev1 because matched 'outage', service Payments" in str(sim.message(queue, posted))
    confirmation = sim.wait_for(
        lambda: [o for o in sim.seen_by(agent) if o.kind == "ephemeral" and ticket.key in o.text],
        what="the submitter's confirmation",
    )
    assert "Sev1 because matched 'outage', service Payments" in confirmation[0].text


def test_choosing_the_shown_severity_is_never_refused(web, sim, ws, sessions):
    agent = ws.users["amara.okafor"]
    sim.slash_command(agent, ws.channels["support"], "new Checkout outage")
    modal_of(sim, agent)
    before = ticket_count(sessions)
    answer = sim.submit_view(agent, {**VALUES, "severity": "1"})
    assert not answer.errors
    sim.wait_for(lambda: ticket_count(sessions) > before, what="the ticket is stored")
    assert latest_ticket(sessions, agent).severity == 1


def test_an_override_is_the_reporters_reason_on_the_ticket(web, sim, ws, sessions):
    agent = ws.users["priya.shah"]
    sim.slash_command(agent, ws.channels["support"], "new Checkout outage")
    modal_of(sim, agent)
    before = ticket_count(sessions)
    answer = sim.submit_view(agent, {**VALUES, "severity": "3"})
    assert "Relay suggests Sev1" in answer.errors["override_reason"]
    sim.submit_view(agent, {**VALUES, "severity": "3", "override_reason": "Test tenant <only>"})
    sim.wait_for(lambda: ticket_count(sessions) > before, what="the ticket is stored")
    ticket = latest_ticket(sessions, agent)
    assert ticket.severity_reason == "chosen by Priya Shah: Test tenant <only>"
