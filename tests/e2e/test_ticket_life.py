"""A ticket life that holds, through signed requests: resolved tickets are reopened before
anything else, an ack settles a waiting handoff, severity changes never breach at once and
lowering needs a reason (and for a Sev1/Sev2 an approver), Sev1/Sev2 page the tier."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from app.models import Ticket
from tests.e2e.test_actions import answers
from tests.e2e.test_escalation_flows import thread, timers_of
from tests.e2e.test_intake import card, modal_of, open_via_command

SEV3 = {"description": "The refund export fails with an error", "impact": "Finance by hand"}


def open_sev3(sim, ws, sessions, user, title="Refund export error"):
    _, ticket = open_via_command(sim, ws, sessions, user, title, **SEV3)
    assert ticket.severity == 3
    return ticket


def dms(sim, user, key, needle):
    return [o for o in sim.seen_by(user) if o.kind == "dm" and key in o.text and needle in o.text]


def notice(sim, ticket, needle):
    """Wait for a thread notice under the ticket's card."""
    return sim.wait_for(
        lambda: [t for t in thread(sim, ticket) if needle in t], what=f"notice {needle!r}"
    )


def test_a_resolved_ticket_is_refused_until_it_is_reopened(web, sim, ws, sessions):
    amara, priya, support = ws.users["amara.okafor"], ws.users["priya.shah"], ws.channels["support"]
    ticket = open_sev3(sim, ws, sessions, amara)
    key = ticket.key
    sim.slash_command(amara, support, f"ack {key}")
    answers(sim, amara, f"You acknowledged *{key}*")
    sim.slash_command(amara, support, f"escalate {key} tried a re-run")
    modal_of(sim, amara)
    sim.submit_view(amara, {"handoff_note": "tried a re-run"})
    offer = sim.wait_for(lambda: dms(sim, priya, key, "is handed to you"), what="handoff DM")[-1]
    sim.slash_command(amara, support, f"resolve {key} re-ran the export")
    answers(sim, amara, f"*{key}* is resolved")
    refusal = f"{key} is resolved; reopen it first with `/esc reopen {key}`."
    sim.click(priya, "handoff_accept", channel_id=offer.channel, ts=offer.ts)  # a stale button
    answers(sim, priya, refusal)
    for command in (f"escalate {key} again", f"sev {key} 2 spreading", f"assign {key} <@{priya}>"):
        sim.slash_command(amara, support, command)
    assert len(answers(sim, amara, refusal, count=3)) == 3
    assert not sim.views_of(amara), "no form opens for a resolved ticket"
    done = card(sessions, key)
    # no SLA timer is left; only the reporter's confirmation closes it in time
    assert (done.tier, done.severity, done.owner_id, set(timers_of(sessions, done))) == (
        "L2",
        3,
        amara,
        {"confirmation.close"},
    )

    sim.slash_command(amara, support, f"reopen {key}")
    answers(sim, amara, f"*{key}* is reopened (owned by <@{amara}>)")
    back = card(sessions, key)
    assert back.status.value == "in_progress" and back.owner_id == amara
    assert timers_of(sessions, back)["resolution.breach"] == back.resolution_due_at
    notice(sim, back, f"Reopened by <@{amara}>")
    # the card is updated in its own lane: it may come just after the thread's notice
    sim.wait_for(
        lambda: "ticket_resolve" in str(sim.message(back.card_channel, back.card_ts)["blocks"]),
        what="the card with its buttons back",
    )


def test_reopening_after_the_window_is_refused(web, sim, ws, sessions, playbook):
    tom, support = ws.users["tom.hughes"], ws.channels["support"]
    ticket = open_sev3(sim, ws, sessions, tom, "Invoice export error")
    sim.slash_command(tom, support, f"resolve {ticket.key} fixed the template")
    answers(sim, tom, f"*{ticket.key}* is resolved")
    long_ago = datetime.now(UTC) - timedelta(days=playbook.reopen_window_days, hours=1)
    with sessions() as db, db.begin():
        db.execute(update(Ticket).where(Ticket.id == ticket.id).values(resolved_at=long_ago))
    sim.slash_command(tom, support, f"reopen {ticket.key}")
    answers(sim, tom, f"{ticket.key} was resolved more than 7 days ago")
    assert card(sessions, ticket.key).status.value == "resolved"


def test_an_ack_by_another_team_member_settles_the_waiting_handoff(web, sim, ws, sessions):
    amara, tom, support = ws.users["amara.okafor"], ws.users["tom.hughes"], ws.channels["support"]
    ticket = open_sev3(sim, ws, sessions, amara, "Payout file error")
    sim.slash_command(amara, support, f"escalate {ticket.key} stuck")
    modal_of(sim, amara)
    sim.submit_view(amara, {"handoff_note": "stuck since the deploy"})
    sim.wait_for(lambda: card(sessions, ticket.key).handoff_to == "priya.shah", what="handoff")
    sim.slash_command(tom, support, f"ack {ticket.key}")  # tom is on L1, not the target
    answers(sim, tom, "The waiting handoff is settled.")
    settled = card(sessions, ticket.key)
    assert settled.handoff_to is None and settled.owner_id == tom
    assert "handoff.expiry" not in timers_of(sessions, settled)
    notice(sim, settled, f"settled: <@{tom}> acknowledged")


def test_lowering_needs_a_reason_and_for_a_sev2_an_approver(web, sim, ws, sessions):
    amara, helen, support = (
        ws.users["amara.okafor"],
        ws.users["helen.carter"],
        ws.channels["support"],
    )
    _, ticket = open_via_command(sim, ws, sessions, amara, "Payouts degraded", **SEV3)
    key = ticket.key
    assert ticket.severity == 2
    sim.slash_command(amara, support, f"sev {key} 4 fine now")
    answers(sim, amara, "Lowering a Sev2 needs its incident commander, an approver")
    sim.slash_command(helen, support, f"sev {key} 4")
    answers(sim, helen, f"Lowering {key} to Sev4 needs a reason: `/esc sev {key} 4 REASON`.")
    for user, values, field in (
        (amara, {"new_severity": "3", "reason": "contained"}, "new_severity"),
        (helen, {"new_severity": "3", "reason": "  "}, "reason"),
    ):
        sim.click(user, "ticket_severity", channel_id=ticket.card_channel, ts=ticket.card_ts)
        modal_of(sim, user)
        assert field in sim.submit_view(user, values).errors, "an inline error in the modal"
    assert card(sessions, key).severity == 2
    sim.submit_view(helen, {"new_severity": "3", "reason": "one merchant only"})
    sim.wait_for(lambda: card(sessions, key).severity == 3, what="Sev3 from the approver")


def test_raising_a_late_ticket_counts_its_target_from_the_change(web, sim, ws, sessions):
    amara, support = ws.users["amara.okafor"], ws.channels["support"]
    ticket = open_sev3(sim, ws, sessions, amara, "Statement export error")
    two_hours_ago = datetime.now(UTC) - timedelta(hours=2)
    with sessions() as db, db.begin():
        db.execute(update(Ticket).where(Ticket.id == ticket.id).values(opened_at=two_hours_ago))
    before = datetime.now(UTC)
    sim.slash_command(amara, support, f"sev {ticket.key} 1 every merchant now")
    answers(sim, amara, f"*{ticket.key}* is now Sev1")
    raised = card(sessions, ticket.key)
    assert raised.response_due_at > before and raised.policy["response_from"] >= before.isoformat()
    assert min(timers_of(sessions, raised).values()) > before, "nothing is due at once"
    assert not raised.response_breached


def test_sev1_pages_the_l1_primary_and_secondary_on_open_and_on_raise(web, sim, ws, sessions):
    amara, tom, support = ws.users["amara.okafor"], ws.users["tom.hughes"], ws.channels["support"]
    _, outage = open_via_command(sim, ws, sessions, tom, "Checkout outage everywhere")
    assert outage.severity == 1
    for user in (amara, tom):  # L1 primary, and the payments-l1 group
        sim.wait_for(lambda u=user: dms(sim, u, outage.key, "You are paged"), what="a page DM")
    notice(sim, outage, "Sev1: paged")
    ticket = open_sev3(sim, ws, sessions, amara, "Card refund error")
    assert not dms(sim, tom, ticket.key, "You are paged"), "Sev3 does not page"
    sim.slash_command(amara, support, f"sev {ticket.key} 2 spreading")
    answers(sim, amara, "Its tier's primary and secondary are paged.")
    sim.wait_for(lambda: dms(sim, tom, ticket.key, "You are paged"), what="a page on raise")
