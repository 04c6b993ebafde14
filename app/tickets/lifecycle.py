"""What each state allows: acknowledge, assign, wait on the customer, resume, resolve,
reopen, change severity. Plain Python over SQLAlchemy; `now` is passed in."""

from datetime import datetime, timedelta

import structlog
from sqlalchemy.orm import Session

from app.errors import Invalid
from app.models import OPEN_STATUSES, Status, Ticket, TimelineEvent
from app.playbook import Playbook
from app.sla.targets import (
    is_paused,
    restart_overdue,
    restart_resolution,
    retarget,
    snapshot_policy,
)
from app.tickets.access import require_may_act, require_may_lower
from app.tickets.intake import REASON_LIMIT, clean_text
from app.tickets.timeline import add_event

log = structlog.get_logger()

SUMMARY_LIMIT = 2000
DONE_STATUSES = (Status.RESOLVED, Status.CLOSED)
# What a severity change keeps of the policy snapshot: who escalation goes to, and clock
# starts moved by earlier changes.
KEPT_POLICY = ("tiers", "manager", "people", "response_from", "resolution_from")


def _label(status: Status) -> str:
    return status.value.replace("_", " ")


def require_open(ticket: Ticket) -> None:
    """A resolved or closed ticket cannot be escalated, re-severitied or handed off."""
    if ticket.status in DONE_STATUSES:
        raise Invalid(
            f"{ticket.key} is {_label(ticket.status)}; reopen it first with "
            f"`/esc reopen {ticket.key}`."
        )


def acknowledge(db: Session, playbook: Playbook, ticket: Ticket, *, by: str, now: datetime):
    """Returns the new timeline event, or None when the ticket was already acknowledged."""
    require_may_act(playbook, ticket, by)
    if ticket.acknowledged_at is not None:
        return None
    before = {"status": ticket.status.value, "owner": ticket.owner_id}
    ticket.acknowledged_at = now
    if ticket.status == Status.OPEN:
        ticket.status = Status.ACKNOWLEDGED
    ticket.owner_id = ticket.owner_id or by
    ticket.updated_at = now
    after = {"status": ticket.status.value, "owner": ticket.owner_id}
    log.info("ticket.acknowledged", key=ticket.key, by=by)
    return add_event(db, ticket, kind="acknowledged", by=by, now=now, before=before, after=after)


def assign(db: Session, playbook: Playbook, ticket: Ticket, *, to: str, by: str, now: datetime):
    """Returns the new timeline event, or None when `to` already owns the ticket."""
    require_may_act(playbook, ticket, by)
    require_open(ticket)
    if not playbook.may_act(to, ticket.team):
        team = playbook.teams[ticket.team].name
        raise Invalid(f"<@{to}> is not on the {team} team in the playbook, so cannot own it.")
    if ticket.owner_id == to:
        return None
    before = {"owner": ticket.owner_id}
    ticket.owner_id = to
    ticket.updated_at = now
    log.info("ticket.assigned", key=ticket.key, to=to, by=by)
    return add_event(
        db, ticket, kind="assigned", by=by, now=now, before=before, after={"owner": to}
    )


def check_severity_change(
    playbook: Playbook, ticket: Ticket, *, severity: int, by: str, reason: str
) -> str:
    """Who may change the severity, and how; returns the cleaned reason. Lowering needs a
    reason, and lowering a Sev1 or Sev2 the IC, an approver or an admin."""
    if severity not in (1, 2, 3, 4):
        raise Invalid("Severity is 1, 2, 3 or 4.")
    lowering = severity > ticket.severity
    if lowering and ticket.severity <= 2:
        require_may_lower(playbook, ticket, by)
    else:
        require_may_act(playbook, ticket, by)
    require_open(ticket)
    reason = clean_text(reason)
    if len(reason) > REASON_LIMIT:
        raise Invalid(f"Keep the reason under {REASON_LIMIT} characters, please.")
    if lowering and not reason:
        raise Invalid(
            f"Lowering {ticket.key} to Sev{severity} needs a reason: "
            f"`/esc sev {ticket.key} {severity} REASON`.",
            {"reason": "Say why the severity goes down."},
        )
    return reason


def change_severity(
    db, playbook: Playbook, ticket: Ticket, *, severity: int, by: str, now: datetime, reason: str
) -> TimelineEvent | None:
    reason = check_severity_change(playbook, ticket, severity=severity, by=by, reason=reason)
    if severity == ticket.severity:
        return None
    before = {
        "severity": ticket.severity,
        "response_due_at": ticket.response_due_at.isoformat(),
        "resolution_due_at": ticket.resolution_due_at.isoformat(),
    }
    ticket.severity = severity
    who = playbook.name_of(by, "someone")
    ticket.severity_reason = f"changed by {who}" + (f": {reason}" if reason else "")
    ticket.response_target_minutes, ticket.resolution_target_minutes = playbook.targets(
        severity, ticket.customer, stored_tier=ticket.customer_tier
    )
    # The new severity brings its own targets and deadlines; who escalation goes to stays
    # as it was snapshotted when the ticket opened. No clock is put in breach by the change.
    kept = {k: v for k, v in ticket.policy.items() if k in KEPT_POLICY}
    ticket.policy = {**snapshot_policy(playbook, ticket), **kept}
    retarget(playbook, ticket, now=now)
    restart_overdue(playbook, ticket, now=now)
    ticket.updated_at = now
    after = {
        "severity": severity,
        "response_due_at": ticket.response_due_at.isoformat(),
        "resolution_due_at": ticket.resolution_due_at.isoformat(),
    }
    return add_event(
        db,
        ticket,
        kind="severity.changed",
        by=by,
        now=now,
        before=before,
        after=after,
        note=reason or None,
    )


def wait_on_customer(db, playbook, ticket: Ticket, *, by: str, now: datetime) -> TimelineEvent:
    require_may_act(playbook, ticket, by)
    if is_paused(ticket):
        raise Invalid(f"{ticket.key} is already waiting on the customer.")
    if ticket.status not in OPEN_STATUSES:
        raise Invalid(f"{ticket.key} is {ticket.status.value}.")
    before = {"status": ticket.status.value}
    ticket.pauses = [*ticket.pauses, [now.isoformat(), None]]
    ticket.status = Status.WAITING
    ticket.updated_at = now
    return add_event(
        db,
        ticket,
        kind="paused",
        by=by,
        now=now,
        before=before,
        after={"status": ticket.status.value},
    )


def resume(db, playbook, ticket: Ticket, *, by: str, now: datetime) -> TimelineEvent:
    require_may_act(playbook, ticket, by)
    if not is_paused(ticket):
        raise Invalid(f"{ticket.key} is not waiting on the customer.")
    start = ticket.pauses[-1][0]
    ticket.pauses = [*ticket.pauses[:-1], [start, now.isoformat()]]
    ticket.status = Status.IN_PROGRESS if ticket.owner_id else Status.OPEN
    before = {"resolution_due_at": ticket.resolution_due_at.isoformat()}
    retarget(playbook, ticket, now=now)
    ticket.updated_at = now
    after = {
        "status": ticket.status.value,
        "resolution_due_at": ticket.resolution_due_at.isoformat(),
    }
    return add_event(db, ticket, kind="resumed", by=by, now=now, before=before, after=after)


def resolve(
    db, playbook, ticket: Ticket, *, by: str, now: datetime, summary: str, root_cause=None
) -> TimelineEvent:
    """`root_cause`: the playbook category, checked by the caller (app/reviews/)."""
    require_may_act(playbook, ticket, by)
    if ticket.status not in OPEN_STATUSES:
        raise Invalid(f"{ticket.key} is already {ticket.status.value}.")
    summary = clean_text(summary)
    if len(summary) > SUMMARY_LIMIT:
        raise Invalid(
            f"At most {SUMMARY_LIMIT} characters, please.",
            {"summary": f"At most {SUMMARY_LIMIT} characters, please."},
        )
    if not summary:
        raise Invalid("Say in a sentence how it was resolved.", {"summary": "Please fill this in."})
    if is_paused(ticket):
        ticket.pauses = [*ticket.pauses[:-1], [ticket.pauses[-1][0], now.isoformat()]]
    before = {"status": ticket.status.value}
    ticket.status, ticket.resolved_at, ticket.resolution_summary = Status.RESOLVED, now, summary
    ticket.handoff_to = ticket.handoff_step = ticket.handoff_due_at = None
    ticket.manager_renotify_at = None
    ticket.updated_at = now
    log.info("ticket.resolved", key=ticket.key, by=by)
    return add_event(
        db,
        ticket,
        kind="resolved",
        by=by,
        now=now,
        before=before,
        after={"status": "resolved", **({"root_cause": root_cause} if root_cause else {})},
        note=summary,
    )


def reopen(
    db, playbook: Playbook, ticket: Ticket, *, by: str, now: datetime, check: bool = True
) -> TimelineEvent:
    """Back to work within the playbook's window: the owner stays and the resolution clock
    starts again from now. `check=False`: the reporter's "not fixed" (app/reviews/)."""
    if check:
        require_may_act(playbook, ticket, by)
    if ticket.status not in DONE_STATUSES:
        raise Invalid(f"{ticket.key} is {_label(ticket.status)}, not resolved.")
    days, resolved_at = playbook.reopen_window_days, ticket.resolved_at or ticket.closed_at
    if now - resolved_at > timedelta(days=days):
        raise Invalid(
            f"{ticket.key} was resolved more than {days} days ago, and tickets can be reopened "
            f"within {days} days. Open a new one with `/esc new`."
        )
    before = {"status": ticket.status.value, "resolved_at": resolved_at.isoformat()}
    ticket.status = Status.IN_PROGRESS if ticket.owner_id else Status.OPEN
    ticket.resolved_at = ticket.closed_at = ticket.mitigated_at = None
    restart_resolution(playbook, ticket, now=now)
    ticket.updated_at = now
    after = {
        "status": ticket.status.value,
        "owner": ticket.owner_id,
        "resolution_due_at": ticket.resolution_due_at.isoformat(),
    }
    log.info("ticket.reopened", key=ticket.key, by=by)
    return add_event(db, ticket, kind="reopened", by=by, now=now, before=before, after=after)
