"""Blameless reviews of Sev1/Sev2 tickets: due after resolution, reminders to the IC and
then the manager before the deadline, and the draft (a canvas, see app/effects/canvases.py)."""

from datetime import datetime, timedelta

from sqlalchemy import select

from app import deadlines
from app.errors import Invalid
from app.incidents import commander
from app.models import Review, Ticket, TimelineEvent
from app.playbook import Playbook
from app.sla import people
from app.tickets.access import require_may_act
from app.tickets.timeline import add_event


def review_of(db, ticket: Ticket) -> Review | None:
    return db.scalar(select(Review).where(Review.ticket_id == ticket.id))


def on_resolved(db, playbook: Playbook, ticket: Ticket, *, now: datetime) -> list[TimelineEvent]:
    """A Sev1/Sev2 gets a review, due `review_due_days` after its (first) resolution."""
    if ticket.severity > 2 or review_of(db, ticket) is not None:
        return []
    rules = playbook.learning
    due = now + timedelta(days=rules.review_due_days)
    review = Review(
        ticket_id=ticket.id,
        due_at=due,
        ic_remind_at=max(now, due - timedelta(hours=rules.review_ic_reminder_hours)),
        manager_remind_at=max(now, due - timedelta(hours=rules.review_manager_reminder_hours)),
    )
    db.add(review)
    after = {"due_at": due.isoformat()}
    return [add_event(db, ticket, kind="review.due", by=None, now=now, after=after)]


def ic_of(db, ticket: Ticket) -> str | None:
    """Who answers for the review: the incident commander, else the owner."""
    return commander(db, ticket) or ticket.owner_id


def remind(db, playbook: Playbook, ticket: Ticket, *, now: datetime, due: list[str]):
    """The `review.remind_ic` and `review.remind_manager` timers."""
    review = review_of(db, ticket)
    if review is None or review.drafted_at is not None:
        return []
    events = []
    for kind, role in (("review.remind_ic", "ic"), ("review.remind_manager", "manager")):
        attr = f"{role}_remind_at"
        at = getattr(review, attr)
        if kind not in due or at is None or at > now:
            continue
        setattr(review, attr, None)
        if role == "ic":
            to = [u for u in [ic_of(db, ticket)] if u]
        else:
            to = sorted(people.user_ids(playbook, ticket, [ticket.policy.get("manager")]))
        after = {"role": role, "due_at": review.due_at.isoformat(), "notify": to}
        events.append(add_event(db, ticket, kind="review.reminded", by=None, now=now, after=after))
    return events


def draft(db, playbook: Playbook, ticket: Ticket, *, by: str, now: datetime) -> TimelineEvent:
    """`/esc review`: the team, admins and the IC may draft it, once it is resolved."""
    if by != commander(db, ticket):
        require_may_act(playbook, ticket, by)
    if ticket.resolved_at is None and ticket.closed_at is None:
        raise Invalid(f"{ticket.key} is not resolved yet; draft its review once it is.")
    review = review_of(db, ticket)
    if review is None:  # a Sev3/Sev4, or resolved before reviews: due now
        review = Review(ticket_id=ticket.id, due_at=now)
        db.add(review)
    review.drafted_at, review.drafted_by = now, by
    review.ic_remind_at = review.manager_remind_at = None
    db.flush()
    after = {"review": review.id}
    return add_event(db, ticket, kind="review.drafted", by=by, now=now, after=after)


TIMERS = [  # the reminders of undrafted reviews
    deadlines.timer_rows(Review.ticket_id, kind, at, at.is_not(None), Review.drafted_at.is_(None))
    for kind, at in (
        ("review.remind_ic", Review.ic_remind_at),
        ("review.remind_manager", Review.manager_remind_at),
    )
]
