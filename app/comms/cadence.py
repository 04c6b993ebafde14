"""The update cadence: while a ticket is open (not paused), an update falls due every
`update_cadence_minutes` (business minutes for business-hours severities). Two timer kinds
of the clock: `update.due` reminds the comms lead (else the IC, else the owner, else the
tier's primary); `update.overdue`, half a cadence later, tells the IC and the team manager.
Posting an update moves the due time and re-arms both."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.incidents.roles import holders
from app.inserts import id_list
from app.models import Status, Ticket, TimelineEvent, UpdateCadence
from app.models.tickets import OPEN_STATUSES
from app.playbook import Playbook
from app.sla import people
from app.sla.business_time import add_business_minutes
from app.sla.targets import calendar_for
from app.tickets.timeline import add_event

DUE, OVERDUE = "update.due", "update.overdue"


def minutes(playbook: Playbook, ticket: Ticket) -> int:
    return playbook.severity(ticket.severity).update_cadence_minutes


def later(playbook: Playbook, ticket: Ticket, start: datetime, amount: int) -> datetime:
    """`amount` cadence minutes after `start` (business minutes where the severity says so)."""
    return add_business_minutes(start, amount, calendar_for(playbook, ticket))


def next_due(playbook: Playbook, ticket: Ticket, now: datetime) -> datetime:
    return later(playbook, ticket, now, minutes(playbook, ticket))


def owes_updates(ticket: Ticket) -> bool:
    """Open and not paused: paused, resolved and closed tickets owe nothing."""
    return ticket.status in OPEN_STATUSES and ticket.status != Status.WAITING


def cadence_of(db: Session, ticket: Ticket) -> UpdateCadence | None:
    return db.get(UpdateCadence, ticket.id)


def load(db: Session, due: dict[int, list[str]]) -> list[UpdateCadence]:
    """The cadences of the tickets with a cadence timer among `due` ({ticket id: due kinds}),
    in one query; while the caller holds the list, `cadence_of` finds them in the session."""
    ids = [ticket_id for ticket_id, kinds in due.items() if {DUE, OVERDUE} & set(kinds)]
    if not ids:
        return []
    stmt = select(UpdateCadence).where(UpdateCadence.ticket_id.in_(id_list(ids)))
    return list(db.scalars(stmt))


def reset(db: Session, ticket: Ticket, *, due_at: datetime) -> None:
    """An update was posted: the next is due at `due_at`, reminder and overdue re-armed."""
    cadence = cadence_of(db, ticket)
    if cadence is None:
        cadence = UpdateCadence(ticket_id=ticket.id, due_at=due_at)
        db.add(cadence)
    cadence.due_at, cadence.reminded_at, cadence.overdue_at = due_at, None, None


def overdue_at(playbook: Playbook, ticket: Ticket, cadence: UpdateCadence) -> datetime:
    return later(playbook, ticket, cadence.due_at, max(1, minutes(playbook, ticket) // 2))


_OF_TICKETS = select(UpdateCadence).where(  # built once: every change asks
    UpdateCadence.ticket_id.in_(id_list())
)


def timers(db: Session, playbook: Playbook, tickets: list[Ticket], *, now: datetime) -> dict:
    """The `update.due` and `update.overdue` timers of these tickets, in one query. A ticket
    that owes updates gets a cadence when it has none (due one cadence from now: opened,
    or resumed after a pause); one that owes none loses it."""
    found: dict[int, dict[str, datetime]] = {t.id: {} for t in tickets}
    if not tickets:
        return found
    have = {c.ticket_id: c for c in db.scalars(_OF_TICKETS, {"ids": [t.id for t in tickets]})}
    for ticket in tickets:
        cadence = have.get(ticket.id)
        if not owes_updates(ticket):
            if cadence is not None:
                db.delete(cadence)
            continue
        if cadence is None:
            cadence = UpdateCadence(ticket_id=ticket.id, due_at=next_due(playbook, ticket, now))
            db.add(cadence)
        if cadence.reminded_at is None:
            found[ticket.id][DUE] = cadence.due_at
        if cadence.overdue_at is None:
            found[ticket.id][OVERDUE] = overdue_at(playbook, ticket, cadence)
    return found


def reminded(db: Session, playbook: Playbook, ticket: Ticket) -> list[str]:
    """Who is reminded: the comms lead, else the IC, else the owner, else the tier's primary."""
    held = holders(db, ticket)
    for who in (held.get("comms"), held.get("ic"), ticket.owner_id):
        if who:
            return [who]
    primary = ticket.policy["tiers"][ticket.tier]["primary"]
    return sorted(people.user_ids(playbook, ticket, [primary]))


def act_on_due(
    db: Session, playbook: Playbook, ticket: Ticket, *, now: datetime, due: list[str]
) -> list[TimelineEvent]:
    """Fire `update.due` and `update.overdue` when they are due."""
    if not {DUE, OVERDUE} & set(due):  # read the cadence only when one of its timers is due
        return []
    cadence = cadence_of(db, ticket)
    if cadence is None or not owes_updates(ticket):
        return []
    events = []
    at = {"due_at": cadence.due_at.isoformat()}
    if DUE in due and cadence.reminded_at is None and cadence.due_at <= now:
        cadence.reminded_at = now
        after = {**at, "remind": reminded(db, playbook, ticket)}
        events.append(add_event(db, ticket, kind="update.reminder", by=None, now=now, after=after))
    late = overdue_at(playbook, ticket, cadence)
    if OVERDUE in due and cadence.overdue_at is None and late <= now:
        cadence.overdue_at = now
        manager = people.user_ids(playbook, ticket, [ticket.policy.get("manager")])
        told = [holders(db, ticket).get("ic"), *sorted(manager)]
        after = {**at, "remind": list(dict.fromkeys(u for u in told if u))}
        events.append(add_event(db, ticket, kind="update.overdue", by=None, now=now, after=after))
    return events
