"""Targets across severity changes: a change never puts a clock in breach at once (a target
already past counts from the change, and later retargets keep that start), and a missed
target stays missed: one breach per target, whatever severity changes follow."""

from datetime import timedelta

from app import tickets
from app.sla import escalation
from app.sla.business_time import SlaState
from app.sla.targets import clock_views, timers
from tests.sla.test_escalation import MON_0900, kinds, open_sev3, uid


def change(db, playbook, ticket, severity, *, now, by="amara.okafor"):
    return tickets.change_severity(
        db, playbook, ticket, severity=severity, by=uid(playbook, by), now=now, reason="why"
    )


def test_raising_severity_past_a_target_counts_from_the_change(db, playbook):
    ticket = open_sev3(db, playbook)
    later = MON_0900 + timedelta(minutes=20)  # Sev1 answers in 15 minutes: already past
    event = change(db, playbook, ticket, 1, now=later)
    response, resolution = playbook.targets(1, "initech")
    assert ticket.response_due_at == later + timedelta(minutes=response)
    assert ticket.policy["response_from"] == later.isoformat()
    assert event.after["response_due_at"] == ticket.response_due_at.isoformat()
    assert ticket.resolution_due_at == MON_0900 + timedelta(minutes=resolution), "not past"
    assert "resolution_from" not in ticket.policy
    assert min(timers(ticket).values()) > later
    assert escalation.act_on_due(db, playbook, ticket, now=later) == []
    assert clock_views(playbook, ticket, now=later)[0].state != SlaState.BREACHED
    # A later retarget (waiting on the customer, then resuming) keeps the new start.
    amara = uid(playbook, "amara.okafor")
    tickets.wait_on_customer(db, playbook, ticket, by=amara, now=later)
    tickets.resume(db, playbook, ticket, by=amara, now=later + timedelta(minutes=1))
    assert ticket.response_due_at == later + timedelta(minutes=response)


def test_a_breached_clock_stays_breached_whatever_the_severity_does(db, playbook):
    ticket = open_sev3(db, playbook)
    breach = escalation.act_on_due(db, playbook, ticket, now=ticket.response_due_at)
    assert kinds(breach) == ["sla.breached", "escalated", "handoff.offered"]
    later = ticket.response_due_at + timedelta(minutes=5)
    change(db, playbook, ticket, 4, now=later)  # Sev4 answers in a business day
    assert ticket.response_due_at > later and ticket.response_breached
    assert "response.breach" not in timers(ticket) and "response.warning" not in timers(ticket)
    assert clock_views(playbook, ticket, now=later)[0].state == SlaState.BREACHED
    change(db, playbook, ticket, 2, now=later + timedelta(minutes=1))
    assert ticket.response_breached and "response_from" not in ticket.policy
    escalation.act_on_due(db, playbook, ticket, now=later + timedelta(days=3))
    breaches = [e.after["clock"] for e in tickets.timeline(db, ticket) if e.kind == "sla.breached"]
    assert breaches.count("response") == 1, "one breach per missed target"


def test_a_lower_severity_whose_target_is_past_counts_from_the_change(db, playbook):
    ticket = open_sev3(db, playbook, title="Checkout outage", impact="all users")
    assert ticket.severity == 1
    later = MON_0900 + timedelta(minutes=40)  # Sev2 answers in 30 minutes: already past
    change(db, playbook, ticket, 2, now=later, by="helen.carter")
    assert ticket.response_due_at == later + timedelta(minutes=30)
    assert not ticket.response_breached
