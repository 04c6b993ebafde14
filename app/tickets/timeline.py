"""The append-only timeline: who did what to a ticket, when, with before and after."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Ticket, TimelineEvent


def add_event(db, ticket, *, kind, by, now, before=None, after=None, note=None) -> TimelineEvent:
    """Append to the timeline; the id is assigned at the next flush."""
    event = TimelineEvent(
        ticket_id=ticket.id, at=now, actor_id=by, kind=kind, before=before, after=after, note=note
    )
    db.add(event)
    return event


def timeline(db: Session, ticket: Ticket) -> list[TimelineEvent]:
    stmt = select(TimelineEvent).where(TimelineEvent.ticket_id == ticket.id)
    return list(db.scalars(stmt.order_by(TimelineEvent.id)))


def timeline_slice(db: Session, ticket: Ticket, *, offset: int, limit: int):
    """Events `offset`..`offset + limit` of the timeline (oldest first), and how many it has."""
    where = TimelineEvent.ticket_id == ticket.id
    total = db.scalar(select(func.count()).select_from(TimelineEvent).where(where))
    stmt = select(TimelineEvent).where(where).order_by(TimelineEvent.id)
    return list(db.scalars(stmt.offset(offset).limit(limit))), total
