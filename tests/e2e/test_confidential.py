"""A confidential ticket through signed requests: the queue channel sees only key, severity,
type, owner and clocks; the people its RACI names, admins and the reporter see the rest."""

from tests.e2e.test_actions import answers
from tests.e2e.test_escalation_flows import listed, thread
from tests.e2e.test_intake import card, modal_of, open_via_command

SECRET = {
    "description": "Payout API keys were printed to a shared log bucket.",
    "impact": "Acme Bank payouts could be forged.",
    "customer": "acme-bank",
    "escalation_type": "security",
}
TITLE = "Leaked credentials in payout logs"


def test_confidential_card_shows_no_details_and_raci_people_see_them(web, sim, ws, sessions):
    tom = ws.users["tom.hughes"]  # the reporter
    _, ticket = open_via_command(sim, ws, sessions, tom, TITLE, **SECRET)
    sim.settle()
    posted = sim.message(ticket.card_channel, ticket.card_ts)
    shown = str(posted)
    for detail in (TITLE, "Payout API keys", "could be forged", "Acme Bank", "leaked credentials"):
        assert detail not in shown, detail
    for kept in (ticket.key, "Sev1", "Security", "*Owner*", "*Response*", "*Resolution*"):
        assert kept in shown, kept
    assert posted["text"] == f"{ticket.key} Sev1: confidential Security ticket"

    amara = ws.users["amara.okafor"]  # on the Payments team, not named by the RACI
    sim.slash_command(amara, ws.channels["support"], f"show {ticket.key}")
    answers(sim, amara, f"{ticket.key} is confidential")
    sim.slash_command(amara, ws.channels["support"], "list team")
    team_list = answers(sim, amara, "Open tickets of Payments")[-1]
    assert ticket.key not in str(team_list.blocks)

    hana = ws.users["hana.tan"]  # in the security-response group the RACI names
    sim.slash_command(hana, ws.channels["support"], f"show {ticket.key}")
    answers(sim, hana, TITLE)
    sim.slash_command(hana, ws.channels["support"], "list mine")
    mine = answers(sim, hana, "Your open tickets")[-1]
    assert TITLE in str(mine.blocks)
    sim.open_app_home(hana)
    home = sim.wait_for(lambda: sim.home_of(hana), what="Hana's App Home")
    assert any(ticket.key in line for line in listed(home, "My open tickets"))

    james = ws.users["james.whitfield"]  # the team manager: consulted
    sim.click(james, "ticket_open", channel_id=ticket.card_channel, ts=ticket.card_ts)
    assert TITLE in str(modal_of(sim, james)["blocks"])
    sim.click(amara, "ticket_open", channel_id=ticket.card_channel, ts=ticket.card_ts)
    answers(sim, amara, "is confidential", kinds=("response", "ephemeral", "dm"))
    assert not sim.views_of(amara)

    lukas = ws.users["lukas.becker"]  # security-response and on the Payments team
    sim.slash_command(lukas, ws.channels["support"], f"resolve {ticket.key} Rotated the keys")
    # a Sev1 asks for its root cause in the Resolve form, the summary filled in
    sim.wait_for(lambda: sim.views_of(lukas), what="the Resolve form")
    sim.submit_view(lukas, {"root_cause": "Unknown"})
    sim.wait_for(lambda: card(sessions, ticket.key).status.value == "resolved", what="resolved")
    sim.settle()
    notices = thread(sim, card(sessions, ticket.key))
    assert any("Resolved by" in t for t in notices)
    assert not any("Rotated the keys" in t for t in notices)
