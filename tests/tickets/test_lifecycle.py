"""What each state allows: a resolved ticket must be reopened before it is escalated,
re-severitied or handed off; reopening within the playbook's window; who may lower a
severity and why. Payments works 08:00-18:00 London (GMT) on Monday 23 Nov 2026."""

from datetime import timedelta

import pytest

from app import tickets
from app.errors import Forbidden, Invalid
from app.models import Status
from app.sla import escalation
from app.sla.business_time import add_business_minutes
from app.sla.targets import calendar_for, timers
from app.tickets import access
from tests.sla.test_escalation import MON_0900, open_sev3, uid
from tests.sla.test_people import edited


def resolved(db, playbook, *, ack=True):
    ticket = open_sev3(db, playbook)
    amara = uid(playbook, "amara.okafor")
    if ack:
        tickets.acknowledge(db, playbook, ticket, by=amara, now=MON_0900)
    tickets.resolve(db, playbook, ticket, by=amara, now=MON_0900, summary="Re-ran the export")
    return ticket


def test_a_resolved_ticket_must_be_reopened_first(db, playbook):
    ticket = resolved(db, playbook)
    amara, tom = uid(playbook, "amara.okafor"), uid(playbook, "tom.hughes")
    refusal = f"{ticket.key} is resolved; reopen it first with `/esc reopen {ticket.key}`."
    attempts = [
        lambda: escalation.escalate(db, playbook, ticket, by=amara, now=MON_0900, reason="manual"),
        lambda: tickets.change_severity(
            db, playbook, ticket, severity=2, by=amara, now=MON_0900, reason="spreading"
        ),
        lambda: tickets.assign(db, playbook, ticket, to=tom, by=amara, now=MON_0900),
        lambda: escalation.accept_handoff(db, playbook, ticket, by=amara, now=MON_0900),
    ]
    for attempt in attempts:
        with pytest.raises(Invalid) as refused:
            attempt()
        assert str(refused.value) == refusal
    assert ticket.tier == "L1" and ticket.severity == 3 and ticket.handoff_to is None
    assert timers(ticket) == {}


def test_reopen_within_the_window_restarts_the_resolution_clock(db, playbook):
    ticket = resolved(db, playbook)
    ticket.resolution_breached = ticket.resolution_warned = True  # the old target was missed
    later = MON_0900 + timedelta(days=2)
    event = tickets.reopen(db, playbook, ticket, by=uid(playbook, "tom.hughes"), now=later)
    assert event.kind == "reopened" and event.before["status"] == "resolved"
    assert ticket.status == Status.IN_PROGRESS and ticket.owner_id == uid(playbook, "amara.okafor")
    assert ticket.resolved_at is None
    fresh = add_business_minutes(
        later, ticket.resolution_target_minutes, calendar_for(playbook, ticket)
    )
    assert (
        ticket.resolution_due_at == fresh and event.after["resolution_due_at"] == fresh.isoformat()
    )
    assert not ticket.resolution_breached, "a new target may be missed again"
    assert timers(ticket) == {
        "resolution.warning": ticket.resolution_warn_at,
        "resolution.breach": fresh,
    }
    # Later retargets (resume) keep the new start.
    tickets.wait_on_customer(db, playbook, ticket, by=uid(playbook, "amara.okafor"), now=later)
    tickets.resume(db, playbook, ticket, by=uid(playbook, "amara.okafor"), now=later)
    assert ticket.resolution_due_at == fresh


def test_reopen_outside_the_window_or_of_an_open_ticket_is_refused(db, playbook):
    ticket = resolved(db, playbook)
    amara = uid(playbook, "amara.okafor")
    late = MON_0900 + timedelta(days=playbook.reopen_window_days, minutes=1)
    with pytest.raises(Invalid, match="resolved more than 7 days ago"):
        tickets.reopen(db, playbook, ticket, by=amara, now=late)
    with pytest.raises(Forbidden):
        tickets.reopen(db, playbook, ticket, by=uid(playbook, "wei.lim"), now=MON_0900)
    tickets.reopen(db, playbook, ticket, by=amara, now=late - timedelta(minutes=2))
    with pytest.raises(Invalid, match="is in progress, not resolved"):
        tickets.reopen(db, playbook, ticket, by=amara, now=late)


def test_an_unowned_ticket_reopens_as_open_and_its_overdue_response_counts_from_now(db, playbook):
    ticket = resolved(db, playbook, ack=False)
    later = MON_0900 + timedelta(days=1)
    tickets.reopen(db, playbook, ticket, by=uid(playbook, "amara.okafor"), now=later)
    assert ticket.status == Status.OPEN, "an unowned ticket never reads in progress"
    assert ticket.response_due_at == later + timedelta(hours=4)  # Tuesday, open all day
    assert min(timers(ticket).values()) > later


def test_lowering_needs_a_reason(db, playbook):
    ticket = open_sev3(db, playbook)
    amara = uid(playbook, "amara.okafor")
    with pytest.raises(Invalid, match="needs a reason") as refused:
        tickets.change_severity(
            db, playbook, ticket, severity=4, by=amara, now=MON_0900, reason=" "
        )
    assert set(refused.value.fields) == {"reason"}
    assert ticket.severity == 3
    tickets.change_severity(db, playbook, ticket, severity=2, by=amara, now=MON_0900, reason="")
    assert ticket.severity == 2, "raising needs no reason"


def test_lowering_a_sev1_or_sev2_needs_an_approver_or_an_admin(db, playbook, monkeypatch):
    ticket = open_sev3(db, playbook)
    amara, helen = uid(playbook, "amara.okafor"), uid(playbook, "helen.carter")
    lower = lambda by, to=3: tickets.change_severity(  # noqa: E731
        db, playbook, ticket, severity=to, by=by, now=MON_0900, reason="contained"
    )
    lower(amara, to=2)
    with pytest.raises(Forbidden, match="Lowering a Sev2 needs its incident commander") as no:
        lower(amara)
    assert set(no.value.fields) == {"new_severity"}
    lower(helen)  # approver
    assert ticket.severity == 3
    lower(amara, to=1)
    lower(uid(playbook, "fatima.haddad"), to=2)  # admin, on no team
    assert ticket.severity == 2
    monkeypatch.setattr(access, "incident_commander", lambda ticket: amara)  # the IC hook
    lower(amara, to=4)
    assert ticket.severity == 4


def test_a_removed_customer_keeps_its_stored_tier_when_the_severity_changes(db, playbook):
    ticket = open_sev3(db, playbook, customer="acme-bank")  # strategic: tighter targets
    without = edited(without="acme-bank")
    amara = uid(playbook, "amara.okafor")
    tickets.change_severity(db, without, ticket, severity=2, by=amara, now=MON_0900, reason="")
    expected = playbook.targets(2, "acme-bank")
    assert (ticket.response_target_minutes, ticket.resolution_target_minutes) == expected
