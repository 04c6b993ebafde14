"""Escalation: paging, tier climbs, time-bound handoffs, and what happens when an SLA timer fires
(warning, breach, handoff expiry, manager re-notification): `ON_DUE` maps each timer kind
of `app.sla.targets.timers` to its handler."""

from datetime import datetime, timedelta

import structlog
from sqlalchemy.orm import Session

from app.errors import Forbidden, Invalid
from app.models import OPEN_STATUSES, Status, Ticket, TimelineEvent
from app.playbook import Playbook
from app.sla import people
from app.sla.targets import timers
from app.tickets.access import require_may_act
from app.tickets.intake import clean_text
from app.tickets.lifecycle import require_open
from app.tickets.timeline import add_event

log = structlog.get_logger()

TIERS = ("L1", "L2", "L3")
NEXT_STEP = {"primary": "secondary", "secondary": "manager"}
NOTE_LIMIT = 3000


def _ids(playbook: Playbook, ticket: Ticket, handle: str | None) -> list[str]:
    return sorted(people.user_ids(playbook, ticket, [handle]))


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
        "notify": _ids(playbook, ticket, handle),
    }
    return add_event(db, ticket, kind="handoff.offered", by=None, now=now, after=after)


def page(db, playbook: Playbook, ticket: Ticket, *, now: datetime, was: int | None = None):
    """Severities with `page_primary` DM the tier's primary and secondary the moment the
    ticket opens (`was` None) or is raised from a severity that does not page. Returns the
    `paged` event, or None."""
    pages = lambda level: playbook.severity(level).actions.page_primary  # noqa: E731
    if not pages(ticket.severity) or (was is not None and pages(was)):
        return None
    owners = ticket.policy["tiers"][ticket.tier]
    notify = sorted(people.user_ids(playbook, ticket, [owners["primary"], owners["secondary"]]))
    after = {"tier": ticket.tier, "severity": ticket.severity, "notify": notify}
    log.info("ticket.paged", key=ticket.key, tier=ticket.tier)
    return add_event(db, ticket, kind="paged", by=None, now=now, after=after)


def require_can_climb(playbook: Playbook, ticket: Ticket) -> None:
    require_open(ticket)
    if ticket.tier == TIERS[-1]:
        manager = people.display_name(playbook, ticket, ticket.policy["manager"])
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
    note = clean_text(note) or None
    if note is not None and len(note) > NOTE_LIMIT:
        message = f"Keep the handoff note under {NOTE_LIMIT} characters, please."
        raise Invalid(message, {"handoff_note": message})
    require_can_climb(playbook, ticket)
    before = {"tier": ticket.tier, "owner": ticket.owner_id}
    ticket.tier = TIERS[TIERS.index(ticket.tier) + 1]
    ticket.escalated_at = now
    if ticket.owner_id and ticket.status in (Status.OPEN, Status.ACKNOWLEDGED):
        ticket.status = Status.IN_PROGRESS  # unowned, it stays open until someone accepts
    ticket.updated_at = now
    manager = ticket.policy["manager"]
    after = {"tier": ticket.tier, "reason": reason, "notify": _ids(playbook, ticket, manager)}
    escalated = add_event(
        db, ticket, kind="escalated", by=by, now=now, before=before, after=after, note=note
    )
    ticket.handoff_note = note
    offered = offer_handoff(db, playbook, ticket, step="primary", now=now)
    log.info("ticket.escalated", key=ticket.key, tier=ticket.tier, reason=reason)
    return [escalated, offered]


def may_accept(playbook: Playbook, ticket: Ticket, user_id: str) -> bool:
    allowed = people.user_ids(playbook, ticket, [ticket.handoff_to, ticket.policy["manager"]])
    return user_id in allowed or playbook.is_admin(user_id)


def accept_handoff(db, playbook, ticket: Ticket, *, by: str, now: datetime) -> TimelineEvent:
    require_open(ticket)
    if not ticket.handoff_to:
        raise Invalid(f"{ticket.key} has no handoff waiting.")
    if not may_accept(playbook, ticket, by):
        raise Forbidden(f"The handoff of {ticket.key} is offered to someone else.")
    before = {"owner": ticket.owner_id, "to": ticket.handoff_to, "step": ticket.handoff_step}
    ticket.owner_id = by
    if ticket.status in (Status.OPEN, Status.ACKNOWLEDGED):
        ticket.status = Status.IN_PROGRESS
    ticket.acknowledged_at = ticket.acknowledged_at or now
    ticket.handoff_to = ticket.handoff_step = ticket.handoff_due_at = None
    ticket.updated_at = now
    after = {"owner": by, "tier": ticket.tier}
    return add_event(
        db, ticket, kind="handoff.accepted", by=by, now=now, before=before, after=after
    )


def settle_handoff(db, playbook, ticket: Ticket, *, by: str, now: datetime):
    """Someone allowed to act acknowledged while a handoff waited on this tier: it stops, so
    nobody further down the handoff path is asked. None when no handoff was waiting."""
    require_may_act(playbook, ticket, by)
    if not ticket.handoff_to:
        return None
    before = {"to": ticket.handoff_to, "step": ticket.handoff_step}
    ticket.handoff_to = ticket.handoff_step = ticket.handoff_due_at = None
    ticket.updated_at = now
    after = {"owner": ticket.owner_id, "tier": ticket.tier}
    return add_event(db, ticket, kind="handoff.settled", by=by, now=now, before=before, after=after)


def _warning(db, playbook, ticket: Ticket, clock: str, now: datetime) -> TimelineEvent:
    owner = (
        [ticket.owner_id]
        if ticket.owner_id
        else _ids(playbook, ticket, ticket.policy["tiers"][ticket.tier]["primary"])
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
    after = {"reason": reason, "notify": _ids(playbook, ticket, manager), "tier": ticket.tier}
    return add_event(db, ticket, kind="manager.notified", by=None, now=now, after=after)


def _on_warning(clock: str):
    def handle(db, playbook, ticket: Ticket, now: datetime) -> list[TimelineEvent]:
        setattr(ticket, f"{clock}_warned", True)
        if getattr(ticket, f"{clock}_due_at") <= now:
            return []  # superseded: the breach is due as well
        return [_warning(db, playbook, ticket, clock, now)]

    return handle


def _on_breach(clock: str):
    def handle(db, playbook, ticket: Ticket, now: datetime) -> list[TimelineEvent]:
        setattr(ticket, f"{clock}_breached", True)
        setattr(ticket, f"{clock}_warned", True)
        return _breach(db, playbook, ticket, clock, now)

    return handle


def _on_handoff_expiry(db, playbook, ticket: Ticket, now: datetime) -> list[TimelineEvent]:
    step = NEXT_STEP[ticket.handoff_step]
    before = {"to": ticket.handoff_to, "step": ticket.handoff_step}
    expired = add_event(
        db,
        ticket,
        kind="handoff.expired",
        by=None,
        now=now,
        before=before,
        after={"next_step": step},
    )
    return [expired, offer_handoff(db, playbook, ticket, step=step, now=now)]


def _on_manager_renotify(db, playbook, ticket: Ticket, now: datetime) -> list[TimelineEvent]:
    return [_tell_manager(db, playbook, ticket, now, reason="still_breached")]


# Timer kind -> what happens when it fires. Each handler returns the new timeline events.
ON_DUE = {
    "response.warning": _on_warning("response"),
    "response.breach": _on_breach("response"),
    "resolution.warning": _on_warning("resolution"),
    "resolution.breach": _on_breach("resolution"),
    "handoff.expiry": _on_handoff_expiry,
    "manager.renotify": _on_manager_renotify,
}


def act_on_due(db: Session, playbook: Playbook, ticket: Ticket, *, now: datetime, due=None):
    """Fire the SLA timers due at `now` (`due`: their kinds, earliest first; by default
    derived from the ticket). Each fires once: a fired timer is no longer wanted. A warning
    whose breach is also due is superseded by it."""
    if ticket.status not in OPEN_STATUSES:
        return []
    if due is None:
        due = [k for k, at in sorted(timers(ticket).items(), key=lambda kv: kv[1]) if at <= now]
    events: list[TimelineEvent] = []
    for kind in due:
        wanted = timers(ticket)  # an earlier handler may have settled this one
        if kind in ON_DUE and kind in wanted and wanted[kind] <= now:
            events += ON_DUE[kind](db, playbook, ticket, now)
    ticket.updated_at = now if events else ticket.updated_at
    return events
