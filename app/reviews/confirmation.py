"""Confirming with the reporter: "Did this fix it?" after a resolution. Yes closes the
ticket, No reopens it to its owner (within the reopen window), no answer closes it after
the playbook's `confirm_within_days`. The 1-5 rating is the ticket's CSAT."""

from datetime import datetime, timedelta

from sqlalchemy import select

from app import deadlines
from app.errors import Forbidden, Invalid
from app.models import Confirmation, Status, Ticket, TimelineEvent
from app.playbook import Playbook
from app.tickets.intake import clean_text
from app.tickets.lifecycle import reopen
from app.tickets.timeline import add_event

COMMENT_LIMIT = 1000
RATINGS = (1, 2, 3, 4, 5)


def pending(db, ticket: Ticket) -> Confirmation | None:
    """The question still waiting for the reporter's answer, if any."""
    stmt = select(Confirmation).where(
        Confirmation.ticket_id == ticket.id, Confirmation.settled_at.is_(None)
    )
    return db.scalar(stmt.order_by(Confirmation.id.desc()))


def ask(db, playbook: Playbook, ticket: Ticket, *, now: datetime) -> TimelineEvent:
    """Ask the reporter, once per resolution (an earlier question still open is dropped)."""
    earlier = pending(db, ticket)
    if earlier is not None:
        earlier.settled_at = now
    days = playbook.learning.confirm_within_days
    asked = Confirmation(
        ticket_id=ticket.id,
        reporter_id=ticket.reporter_id,
        asked_at=now,
        close_due_at=now + timedelta(days=days),
    )
    db.add(asked)
    db.flush()
    after = {
        "confirmation": asked.id,
        "reporter": ticket.reporter_id,
        "close_at": (asked.close_due_at.isoformat()),
    }
    return add_event(db, ticket, kind="confirmation.asked", by=None, now=now, after=after)


def check_may_answer(ticket: Ticket, asked: Confirmation | None, *, by: str) -> None:
    if asked is None:
        raise Invalid(f"{ticket.key} is not waiting for your answer any more.")
    if by != asked.reporter_id:
        raise Forbidden(f"Only the person who reported {ticket.key} answers this.")


def check_answer(ticket: Ticket, asked: Confirmation | None, *, by: str, rating, comment: str):
    """The cleaned (rating, comment), or what is wrong, by form field."""
    check_may_answer(ticket, asked, by=by)
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = None
    if rating not in RATINGS:
        raise Invalid("Rate it from 1 to 5, please.", {"rating": "Pick 1 to 5."})
    comment = clean_text(comment or "")
    if len(comment) > COMMENT_LIMIT:
        message = f"At most {COMMENT_LIMIT} characters, please."
        raise Invalid(message, {"comment": message})
    return rating, comment


def answer(
    db, playbook: Playbook, ticket: Ticket, *, by: str, fixed: bool, rating, comment: str, now
) -> list[TimelineEvent]:
    """The reporter's answer: recorded, then the ticket closed (fixed) or reopened to its
    owner (not fixed; closed instead when the reopen window has passed)."""
    asked = pending(db, ticket)
    rating, comment = check_answer(ticket, asked, by=by, rating=rating, comment=comment)
    asked.answered_at = asked.settled_at = now
    asked.fixed, asked.rating, asked.comment = fixed, rating, comment or None
    owner = [ticket.owner_id] if ticket.owner_id and not fixed else []
    events = [
        add_event(
            db, ticket, kind="confirmed", by=by, now=now, after={"fixed": fixed, "notify": owner}
        ),
        add_event(
            db,
            ticket,
            kind="rated",
            by=by,
            now=now,
            after={"rating": rating, "comment": comment or None},
        ),
    ]
    if fixed:
        return [*events, close(db, ticket, reason="confirmed", now=now)]
    try:
        return [*events, reopen(db, playbook, ticket, by=by, now=now, check=False)]
    except Invalid:  # the reopen window has passed
        return [*events, close(db, ticket, reason="not_fixed_too_late", now=now)]


def close(db, ticket: Ticket, *, reason: str, now: datetime) -> TimelineEvent:
    before = {"status": ticket.status.value}
    ticket.status, ticket.closed_at, ticket.updated_at = Status.CLOSED, now, now
    after = {"status": "closed", "reason": reason}
    return add_event(db, ticket, kind="closed", by=None, now=now, before=before, after=after)


def close_unanswered(db, ticket: Ticket, *, now: datetime) -> list[TimelineEvent]:
    """The `confirmation.close` timer: no answer in time closes a resolved ticket."""
    asked = pending(db, ticket)
    if asked is None or asked.close_due_at > now:
        return []
    asked.settled_at = now
    if ticket.status != Status.RESOLVED:
        return []
    return [close(db, ticket, reason="no_answer", now=now)]


TIMERS = deadlines.timer_rows(
    Confirmation.ticket_id,
    "confirmation.close",
    Confirmation.close_due_at,
    Confirmation.settled_at.is_(None),
)
