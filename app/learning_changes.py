"""The learning loop's changes (mitigate, the reporter's answer, the review draft, action
items), each through the change layer like every other change (app/changes.py)."""

from app import reviews
from app.changes import Change, changing
from app.models import Ticket
from app.runtime import Relay


def mitigate(relay: Relay, key: str, *, by: str) -> Change:
    with changing(relay, key) as c:
        c.record(reviews.resolution.mitigate(c.db, relay.playbook, c.ticket, by=by, now=c.now))
    return c


def answer_confirmation(
    relay: Relay, key: str, *, by: str, fixed: bool, rating, comment: str
) -> Change:
    """The reporter's "Did this fix it?": closes, or reopens to the owner."""
    with changing(relay, key) as c:
        c.record(
            reviews.confirmation.answer(
                c.db,
                relay.playbook,
                c.ticket,
                by=by,
                fixed=fixed,
                rating=rating,
                comment=comment,
                now=c.now,
            )
        )
        if not fixed:
            reviews.on_reopened(c.db, c.ticket, now=c.now)
    return c


def draft_review(relay: Relay, key: str, *, by: str) -> Change:
    with changing(relay, key) as c:
        c.record(reviews.review.draft(c.db, relay.playbook, c.ticket, by=by, now=c.now))
    return c


def create_action(relay: Relay, key: str, *, by: str, what, owner, due_on) -> Change:
    with changing(relay, key) as c:
        c.record(
            reviews.actions.create(
                c.db,
                relay.playbook,
                c.ticket,
                by=by,
                what=what,
                owner=owner,
                due_on=due_on,
                now=c.now,
            )
        )
    return c


def finish_action(relay: Relay, item_id: int, *, by: str, status: str) -> Change:
    """Done or dropped, through the item's ticket."""
    with relay.sessions() as db:
        key = db.get(Ticket, reviews.actions.item_of(db, item_id).ticket_id).key
    with changing(relay, key) as c:
        item = reviews.actions.item_of(c.db, item_id)
        c.record(
            reviews.actions.finish(
                c.db, relay.playbook, c.ticket, item, by=by, status=status, now=c.now
            )
        )
    return c
