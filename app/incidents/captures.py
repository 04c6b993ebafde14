"""Timeline capture: a message pinned (or given a :pushpin:) in a ticket's war room or
swarm goes on the ticket's timeline once, with its author, time and permalink; its text
redacted as all text leaving a conversation is. Slack redelivering the event, or both a
pin and a :pushpin: on one message, add nothing twice (one row per channel and ts)."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.comms.redaction import redact
from app.models import CapturedMessage, Ticket, TimelineEvent
from app.tickets.timeline import add_event

TEXT_MAX = 3000


def capture(
    db: Session, ticket: Ticket, *, channel: str, ts: str, by: str | None, now: datetime
) -> CapturedMessage | None:
    """Claim this message for the ticket's timeline (the ticket row is locked, so a check
    then an insert is enough); None when it was captured before."""
    stmt = select(CapturedMessage.id).where(
        CapturedMessage.channel_id == channel, CapturedMessage.ts == ts
    )
    if db.scalar(stmt) is not None:
        return None
    found = CapturedMessage(
        ticket_id=ticket.id, channel_id=channel, ts=ts, captured_by=by, captured_at=now
    )
    db.add(found)
    db.flush()
    return found


def captured(
    db: Session,
    ticket: Ticket,
    *,
    channel: str,
    ts: str,
    by: str | None,
    text: str,
    author: str | None,
    permalink: str | None,
    now: datetime,
) -> TimelineEvent:
    """The `pin.captured` event, once Slack said what the message is."""
    after = {
        "text": redact(text or "").text[:TEXT_MAX],
        "author": author,
        "ts": ts,
        "permalink": permalink,
        "channel": channel,
    }
    return add_event(db, ticket, kind="pin.captured", by=by, now=now, after=after)
