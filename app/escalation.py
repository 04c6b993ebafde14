"""Escalation: what the clock does when something falls due, tier climbs, time-bound
handoffs, and the manual changes that move clocks (severity, wait/resume, resolve)."""

from datetime import datetime, timedelta

import structlog
from sqlalchemy.orm import Session

from app.clocks import is_paused, refresh_next_action, retarget, snapshot_policy
from app.errors import Forbidden, Invalid
from app.models import OPEN_STATUSES, Status, Ticket, TimelineEvent
from app.playbook import Playbook
from app.tickets import REASON_LIMIT, add_event, clean_text, require_may_act

log = structlog.get_logger()

TIERS = ("L1", "L2", "L3")
NEXT_STEP = {"primary": "secondary", "secondary": "manager"}
SUMMARY_LIMIT = 2000


def _ids(playbook: Playbook, handle: str | None) -> list[str]:
    return sorted(playbook.handles_to_user_ids([handle])) if handle else []


def _handoff_handle(ticket: Ticket, step: str) -> str:
    if step == "manager":
        return ticket.policy["manager"]
    return ticket.policy["tiers"][ticket.tier][step]


def offer_handoff(db, playbook, ticket: Ticket, *, step: str, now: datetime) -> TimelineEvent:
    handle = _handoff_handle(ticket, step)
    ticket.handoff_to, ticket.handoff_step = handle, step
    deadline = (
        None if step == "manager" else now + timedelta(minutes=ticket.policy["handoff_minutes"])
    )
    ticket.handoff_due_at = deadline
    after = {
        "to": handle,
        "step": step,
        "tier": ticket.tier,
        "due_at": deadline.isoformat() if deadline else None,
        "notify": _ids(playbook, handle),
    }
    return add_event(db, ticket, kind="handoff.offered", by=None, now=now, after=after)


def require_can_climb(playbook: Playbook, ticket: Ticket) -> None:
    if ticket.tier == TIERS[-1]:
        person = playbook.people.get(ticket.policy["manager"])
        manager = person.name if person else ticket.policy["manager"]
        raise Invalid(
            f"{ticket.key} is already at {ticket.tier}, the top tier; {manager} manages it."
        )


def escalate(
    db: Session,
    playbook: Playbook,
    ticket: Ticket,
    *,
    by: str | None,
    now: datetime,
    reason: str,
    note: str | None = None,
) -> list[TimelineEvent]:
    """Climb one tier and offer the ticket to the new tier's primary; the manager is told."""
    require_can_climb(playbook, ticket)
    before = {"tier": ticket.tier, "owner": ticket.owner_id}
    ticket.tier = TIERS[TIERS.index(ticket.tier) + 1]
    ticket.escalated_at = now
    if ticket.status in (Status.OPEN, Status.ACKNOWLEDGED):
        ticket.status = Status.IN_PROGRESS
    ticket.updated_at = now
    manager = ticket.policy["manager"]
    after = {"tier": ticket.tier, "reason": reason, "notify": _ids(playbook, manager)}
    escalated = add_event(
        db, ticket, kind="escalated", by=by, now=now, before=before, after=after, note=note
    )
    ticket.handoff_note = note
    offered = offer_handoff(db, playbook, ticket, step="primary", now=now)
    refresh_next_action(ticket)
    log.info("ticket.escalated", key=ticket.key, tier=ticket.tier, reason=reason)
    return [escalated, offered]


def may_accept(playbook: Playbook, ticket: Ticket, user_id: str) -> bool:
    allowed = set(_ids(playbook, ticket.handoff_to)) | set(_ids(playbook, ticket.policy["manager"]))
    return user_id in allowed or playbook.is_admin(user_id)


def accept_handoff(db, playbook, ticket: Ticket, *, by: str, now: datetime) -> TimelineEvent:
    if not ticket.handoff_to:
        raise Invalid(f"{ticket.key} has no handoff waiting.")
    if not may_accept(playbook, ticket, by):
        raise Forbidden(f"The handoff of {ticket.key} is offered to someone else.")
    before = {"owner": ticket.owner_id, "to": ticket.handoff_to, "step": ticket.handoff_step}
    ticket.owner_id = by
    ticket.acknowledged_at = ticket.acknowledged_at or now
    ticket.handoff_to = ticket.handoff_step = ticket.handoff_due_at = None
    ticket.updated_at = now
    refresh_next_action(ticket)
    after = {"owner": by, "tier": ticket.tier}
    return add_event(
        db, ticket, kind="handoff.accepted", by=by, now=now, before=before, after=after
    )


def _warning(db, playbook, ticket: Ticket, clock: str, now: datetime) -> TimelineEvent:
    owner = (
        [ticket.owner_id]
        if ticket.owner_id
        else _ids(playbook, ticket.policy["tiers"][ticket.tier]["primary"])
    )
    due = getattr(ticket, f"{clock}_due_at")
    after = {"clock": clock, "due_at": due.isoformat(), "notify": owner}
    return add_event(db, ticket, kind="sla.warning", by=None, now=now, after=after)


def _breach(db, playbook, ticket: Ticket, clock: str, now: datetime) -> list[TimelineEvent]:
    due = getattr(ticket, f"{clock}_due_at")
    events = [
        add_event(
            db,
            ticket,
            kind="sla.breached",
            by=None,
            now=now,
            after={"clock": clock, "due_at": due.isoformat(), "tier": ticket.tier},
        )
    ]
    if ticket.tier != TIERS[-1]:
        return events + escalate(db, playbook, ticket, by=None, now=now, reason=f"{clock}_breach")
    return events + [_tell_manager(db, playbook, ticket, now, reason=f"{clock}_breach")]


def _tell_manager(db, playbook, ticket: Ticket, now: datetime, *, reason: str) -> TimelineEvent:
    ticket.manager_renotify_at = now + timedelta(minutes=ticket.policy["manager_renotify_minutes"])
    manager = ticket.policy["manager"]
    after = {"reason": reason, "notify": _ids(playbook, manager), "tier": ticket.tier}
    return add_event(db, ticket, kind="manager.notified", by=None, now=now, after=after)


def act_on_due(db: Session, playbook: Playbook, ticket: Ticket, *, now: datetime):
    """Everything due on this ticket at `now`, each exactly once: the flags and the new
    events commit together. A warning whose breach is also due is superseded by it."""
    events: list[TimelineEvent] = []
    if ticket.status not in OPEN_STATUSES:
        ticket.next_action_at = None
        return events
    clocks = ["resolution"] if ticket.acknowledged_at else ["response", "resolution"]
    if is_paused(ticket):
        clocks = [c for c in clocks if c != "resolution"]
    for clock in clocks:
        due, warn = getattr(ticket, f"{clock}_due_at"), getattr(ticket, f"{clock}_warn_at")
        if not getattr(ticket, f"{clock}_breached") and due <= now:
            setattr(ticket, f"{clock}_breached", True)
            setattr(ticket, f"{clock}_warned", True)
            events += _breach(db, playbook, ticket, clock, now)
        elif not getattr(ticket, f"{clock}_warned") and warn <= now:
            setattr(ticket, f"{clock}_warned", True)
            events.append(_warning(db, playbook, ticket, clock, now))
    if ticket.handoff_due_at and ticket.handoff_due_at <= now:
        step = NEXT_STEP[ticket.handoff_step]
        before = {"to": ticket.handoff_to, "step": ticket.handoff_step}
        events.append(
            add_event(
                db,
                ticket,
                kind="handoff.expired",
                by=None,
                now=now,
                before=before,
                after={"next_step": step},
            )
        )
        events.append(offer_handoff(db, playbook, ticket, step=step, now=now))
    if ticket.manager_renotify_at and ticket.manager_renotify_at <= now:
        events.append(_tell_manager(db, playbook, ticket, now, reason="still_breached"))
    ticket.updated_at = now if events else ticket.updated_at
    refresh_next_action(ticket)
    return events


def change_severity(
    db, playbook: Playbook, ticket: Ticket, *, severity: int, by: str, now: datetime, reason: str
) -> TimelineEvent | None:
    require_may_act(playbook, ticket, by)
    if severity not in (1, 2, 3, 4):
        raise Invalid("Severity is 1, 2, 3 or 4.")
    reason = clean_text(reason)
    if len(reason) > REASON_LIMIT:
        raise Invalid(f"Keep the reason under {REASON_LIMIT} characters, please.")
    if severity == ticket.severity:
        return None
    before = {
        "severity": ticket.severity,
        "response_due_at": ticket.response_due_at.isoformat(),
        "resolution_due_at": ticket.resolution_due_at.isoformat(),
    }
    ticket.severity = severity
    ticket.response_target_minutes, ticket.resolution_target_minutes = playbook.targets(
        severity, ticket.customer
    )
    # The new severity brings its own targets and deadlines; who escalation goes to stays
    # as it was snapshotted when the ticket opened.
    fresh = snapshot_policy(playbook, ticket)
    ticket.policy = {**fresh, "tiers": ticket.policy["tiers"], "manager": ticket.policy["manager"]}
    retarget(playbook, ticket, now=now)
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
    refresh_next_action(ticket)
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
    ticket.status = Status.IN_PROGRESS if ticket.acknowledged_at else Status.OPEN
    before = {"resolution_due_at": ticket.resolution_due_at.isoformat()}
    retarget(playbook, ticket, now=now)
    ticket.updated_at = now
    after = {
        "status": ticket.status.value,
        "resolution_due_at": ticket.resolution_due_at.isoformat(),
    }
    return add_event(db, ticket, kind="resumed", by=by, now=now, before=before, after=after)


def resolve(db, playbook, ticket: Ticket, *, by: str, now: datetime, summary: str) -> TimelineEvent:
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
    refresh_next_action(ticket)
    log.info("ticket.resolved", key=ticket.key, by=by)
    return add_event(
        db,
        ticket,
        kind="resolved",
        by=by,
        now=now,
        before=before,
        after={"status": "resolved"},
        note=summary,
    )
