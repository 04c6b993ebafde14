"""SLA-driven escalation in the domain: warnings, breaches, tier climbs, handoffs, manual
changes. Times are fixed: Monday 23 Nov 2026, Payments works 08:00-18:00 London (GMT)."""

from datetime import UTC, datetime, timedelta

import pytest

from app import tickets
from app.errors import Forbidden, Invalid
from app.models import Status
from app.sla import escalation
from app.sla.business_time import SlaState
from app.sla.targets import clock_views, timers

MON_0900 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def uid(playbook, handle):
    return playbook.people[handle].slack_id


def open_sev3(db, playbook, *, now=MON_0900, **overrides):
    fields = dict(
        reporter_id=uid(playbook, "amara.okafor"),
        title="Refund export fails with an error",
        description="error 500",
        impact="Finance exports by hand",
        team="payments",
        escalation_type="technical",
        customer="initech",
    )
    fields.update(overrides)
    checked = tickets.check_intake(playbook, tickets.Intake(**fields))
    ticket, _ = tickets.open_ticket(db, playbook, checked, now=now)
    return ticket


def next_timer(ticket):
    """When the clock must next look at this ticket (its earliest timer), or None."""
    return min(timers(ticket).values(), default=None)


def kinds(events):
    return [e.kind for e in events]


def test_clocks_start_in_business_hours_with_a_policy_snapshot(db, playbook):
    ticket = open_sev3(db, playbook)
    assert ticket.severity == 3
    assert ticket.response_due_at == MON_0900 + timedelta(hours=4)
    assert ticket.response_warn_at == MON_0900 + timedelta(hours=3)
    assert next_timer(ticket) == ticket.response_warn_at
    assert ticket.policy["tiers"]["L2"]["primary"] == "priya.shah"
    assert ticket.policy["manager"] == "james.whitfield"


def test_friday_evening_ticket_is_due_monday(db, playbook):
    friday_1730 = datetime(2026, 11, 27, 17, 30, tzinfo=UTC)  # Payments closes 17:00 on Fridays
    ticket = open_sev3(db, playbook, now=friday_1730)
    assert ticket.response_due_at == datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_each_due_event_happens_once(db, playbook):
    ticket = open_sev3(db, playbook)
    at = ticket.response_warn_at
    assert escalation.act_on_due(db, playbook, ticket, now=at - timedelta(seconds=1)) == []
    warned = escalation.act_on_due(db, playbook, ticket, now=at)
    assert kinds(warned) == ["sla.warning"]
    assert warned[0].after["notify"] == [uid(playbook, "amara.okafor")]
    assert escalation.act_on_due(db, playbook, ticket, now=at) == []
    breach = escalation.act_on_due(db, playbook, ticket, now=ticket.response_due_at)
    assert kinds(breach) == ["sla.breached", "escalated", "handoff.offered"]
    assert ticket.tier == "L2" and ticket.handoff_to == "priya.shah"
    assert breach[1].after["notify"] == [uid(playbook, "james.whitfield")]
    assert breach[2].after["notify"] == [uid(playbook, "priya.shah")]
    assert escalation.act_on_due(db, playbook, ticket, now=ticket.response_due_at) == []


def test_catching_up_after_an_outage_acts_once_and_skips_the_stale_warning(db, playbook):
    ticket = open_sev3(db, playbook)
    late = MON_0900 + timedelta(hours=6)
    events = escalation.act_on_due(db, playbook, ticket, now=late)
    assert kinds(events) == ["sla.breached", "escalated", "handoff.offered"]
    assert ticket.handoff_due_at == late + timedelta(minutes=ticket.policy["handoff_minutes"])
    assert escalation.act_on_due(db, playbook, ticket, now=late) == []


def test_unaccepted_handoff_goes_to_secondary_then_manager(db, playbook):
    ticket = open_sev3(db, playbook)
    escalation.act_on_due(db, playbook, ticket, now=ticket.response_due_at)
    first = ticket.handoff_due_at
    events = escalation.act_on_due(db, playbook, ticket, now=first)
    assert kinds(events) == ["handoff.expired", "handoff.offered"]
    assert ticket.handoff_to == "lukas.becker" and ticket.handoff_step == "secondary"
    events = escalation.act_on_due(db, playbook, ticket, now=ticket.handoff_due_at)
    assert ticket.handoff_to == "james.whitfield" and ticket.handoff_due_at is None
    assert events[-1].after["notify"] == [uid(playbook, "james.whitfield")]


def test_only_the_handoff_target_may_accept(db, playbook):
    ticket = open_sev3(db, playbook)
    escalation.act_on_due(db, playbook, ticket, now=ticket.response_due_at)
    with pytest.raises(Forbidden):
        escalation.accept_handoff(
            db, playbook, ticket, by=uid(playbook, "tom.hughes"), now=MON_0900
        )
    priya = uid(playbook, "priya.shah")
    event = escalation.accept_handoff(db, playbook, ticket, by=priya, now=ticket.response_due_at)
    assert event.after == {"owner": priya, "tier": "L2"}
    assert ticket.owner_id == priya and ticket.handoff_to is None
    assert next_timer(ticket) == ticket.resolution_warn_at


def test_at_l3_a_breach_renotifies_the_manager_on_cadence(db, playbook):
    ticket = open_sev3(db, playbook)
    ticket.tier = "L3"
    events = escalation.act_on_due(db, playbook, ticket, now=ticket.response_due_at)
    assert kinds(events) == ["sla.breached", "manager.notified"]
    again = ticket.manager_renotify_at
    assert again == ticket.response_due_at + timedelta(
        minutes=ticket.policy["manager_renotify_minutes"]
    )
    assert kinds(escalation.act_on_due(db, playbook, ticket, now=again)) == ["manager.notified"]


def test_manual_escalation_keeps_the_note_and_stops_at_l3(db, playbook):
    ticket = open_sev3(db, playbook)
    events = escalation.escalate(
        db,
        playbook,
        ticket,
        by=uid(playbook, "amara.okafor"),
        now=MON_0900,
        reason="manual",
        note="Tried a re-run",
    )
    assert kinds(events) == ["escalated", "handoff.offered"]
    assert events[0].note == "Tried a re-run" and ticket.handoff_note == "Tried a re-run"
    escalation.escalate(db, playbook, ticket, by=None, now=MON_0900, reason="manual")
    with pytest.raises(Invalid, match="already at L3, the top tier; James Whitfield manages it"):
        escalation.escalate(db, playbook, ticket, by=None, now=MON_0900, reason="manual")


def test_severity_change_retargets_from_the_open_time(db, playbook):
    ticket = open_sev3(db, playbook)
    ticket.policy = {**ticket.policy, "manager": "daniel.ng"}  # as snapshotted at open
    later = MON_0900 + timedelta(minutes=5)  # Sev1's response target is not past yet
    event = tickets.change_severity(
        db,
        playbook,
        ticket,
        severity=1,
        by=uid(playbook, "amara.okafor"),
        now=later,
        reason="Spread",
    )
    response, _ = playbook.targets(1, "initech")
    assert ticket.response_due_at == MON_0900 + timedelta(minutes=response)  # Sev1 is 24x7
    assert event.before["severity"] == 3 and event.after["severity"] == 1
    assert event.note == "Spread" and ticket.policy["calendar"] == "24x7"
    assert ticket.policy["handoff_minutes"] == playbook.severity(1).handoff_minutes
    assert ticket.policy["manager"] == "daniel.ng", "the escalation path stays as snapshotted"
    with pytest.raises(Forbidden):
        tickets.change_severity(
            db, playbook, ticket, severity=4, by="U0NOBODY00", now=later, reason=""
        )


def test_waiting_on_customer_pauses_the_resolution_clock(db, playbook):
    ticket = open_sev3(db, playbook)
    amara = uid(playbook, "amara.okafor")
    tickets.acknowledge(db, playbook, ticket, by=amara, now=MON_0900)
    due = ticket.resolution_due_at
    tickets.wait_on_customer(db, playbook, ticket, by=amara, now=MON_0900 + timedelta(hours=1))
    assert ticket.status == Status.WAITING and next_timer(ticket) is None
    views = clock_views(playbook, ticket, now=MON_0900 + timedelta(hours=2))
    assert views[1].state == SlaState.PAUSED
    event = tickets.resume(db, playbook, ticket, by=amara, now=MON_0900 + timedelta(hours=3))
    assert ticket.resolution_due_at == due + timedelta(hours=2)  # two business hours paused
    assert event.after["status"] == "in_progress"
    with pytest.raises(Invalid):
        tickets.resume(db, playbook, ticket, by=amara, now=MON_0900 + timedelta(hours=3))


def test_resolve_stops_the_clocks(db, playbook):
    ticket = open_sev3(db, playbook)
    amara = uid(playbook, "amara.okafor")
    with pytest.raises(Invalid):
        tickets.resolve(db, playbook, ticket, by=amara, now=MON_0900, summary="  ")
    with pytest.raises(Invalid, match="At most 2000"):
        tickets.resolve(db, playbook, ticket, by=amara, now=MON_0900, summary="x" * 2001)
    tickets.resolve(db, playbook, ticket, by=amara, now=MON_0900, summary="Fixed\u202e the job")
    assert ticket.resolution_summary == "Fixed the job"
    assert ticket.status == Status.RESOLVED and next_timer(ticket) is None
    assert escalation.act_on_due(db, playbook, ticket, now=MON_0900 + timedelta(days=9)) == []


def test_card_states_follow_the_clock(db, playbook):
    ticket = open_sev3(db, playbook)
    states = lambda hours: clock_views(playbook, ticket, now=MON_0900 + timedelta(hours=hours))[0]  # noqa: E731
    assert states(1).state == SlaState.ON_TRACK
    assert states(3.5).state == SlaState.AT_RISK
    assert states(5).state == SlaState.BREACHED


def test_an_overlong_handoff_note_is_refused_and_nothing_climbs(db, playbook):
    ticket = open_sev3(db, playbook)
    with pytest.raises(Invalid) as caught:
        escalation.escalate(
            db, playbook, ticket, by=None, now=MON_0900, reason="manual", note="x" * 100_000
        )
    assert "handoff_note" in caught.value.fields and ticket.tier == "L1"


def test_sev1_and_sev2_page_the_tier_when_opened_or_raised(db, playbook):
    l1 = sorted({uid(playbook, "amara.okafor"), uid(playbook, "tom.hughes")})  # + payments-l1
    sev1 = open_sev3(db, playbook, title="Checkout outage", impact="all users")
    paged = escalation.page(db, playbook, sev1, now=MON_0900)
    assert paged.kind == "paged" and paged.after == {"tier": "L1", "severity": 1, "notify": l1}
    sev3 = open_sev3(db, playbook)
    assert escalation.page(db, playbook, sev3, now=MON_0900) is None, "Sev3 does not page"
    sev3.severity = 2
    assert escalation.page(db, playbook, sev3, now=MON_0900, was=3).after["notify"] == l1
    sev3.severity = 1
    assert escalation.page(db, playbook, sev3, now=MON_0900, was=2) is None, "paged already"


def test_an_ack_by_someone_else_settles_the_waiting_handoff(db, playbook):
    ticket = open_sev3(db, playbook)
    escalation.act_on_due(db, playbook, ticket, now=ticket.response_due_at)
    assert ticket.handoff_to == "priya.shah" and "handoff.expiry" in timers(ticket)
    with pytest.raises(Forbidden):
        escalation.settle_handoff(db, playbook, ticket, by="U0NOBODY00", now=MON_0900)
    tom = uid(playbook, "tom.hughes")
    event = escalation.settle_handoff(db, playbook, ticket, by=tom, now=ticket.response_due_at)
    assert event.kind == "handoff.settled" and event.actor_id == tom
    assert event.before == {"to": "priya.shah", "step": "primary"}
    assert ticket.handoff_to is ticket.handoff_step is ticket.handoff_due_at is None
    assert "handoff.expiry" not in timers(ticket)
    assert escalation.settle_handoff(db, playbook, ticket, by=tom, now=MON_0900) is None


def test_an_unowned_ticket_that_climbs_stays_open_until_accepted(db, playbook):
    ticket = open_sev3(db, playbook)
    escalation.act_on_due(db, playbook, ticket, now=ticket.response_due_at)
    assert (ticket.tier, ticket.owner_id, ticket.status) == ("L2", None, Status.OPEN)
    priya = uid(playbook, "priya.shah")
    escalation.accept_handoff(db, playbook, ticket, by=priya, now=ticket.response_due_at)
    assert (ticket.owner_id, ticket.status) == (priya, Status.IN_PROGRESS)


def test_an_owned_ticket_that_climbs_is_in_progress(db, playbook):
    ticket = open_sev3(db, playbook)
    tickets.acknowledge(db, playbook, ticket, by=uid(playbook, "tom.hughes"), now=MON_0900)
    escalation.act_on_due(db, playbook, ticket, now=ticket.resolution_due_at)
    assert ticket.tier == "L2" and ticket.status == Status.IN_PROGRESS


def test_resuming_an_unowned_ticket_reopens_it(db, playbook):
    ticket = open_sev3(db, playbook)
    amara = uid(playbook, "amara.okafor")
    tickets.wait_on_customer(db, playbook, ticket, by=amara, now=MON_0900)
    tickets.resume(db, playbook, ticket, by=amara, now=MON_0900 + timedelta(hours=1))
    assert ticket.owner_id is None and ticket.status == Status.OPEN
