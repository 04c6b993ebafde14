"""The learning loop after resolution: root causes and mitigation, the reporter's
confirmation and rating, blameless reviews, action items. Plain domain code: no Slack
client, no Block Kit; `now` is passed in. Each returns timeline events."""

from datetime import datetime

from app.models import Ticket, TimelineEvent
from app.playbook import Playbook
from app.reviews import actions, confirmation, resolution, review


def on_resolved(db, playbook: Playbook, ticket: Ticket, *, now: datetime) -> list[TimelineEvent]:
    """Ask the reporter; a Sev1/Sev2 review falls due."""
    return [
        confirmation.ask(db, playbook, ticket, now=now),
        *review.on_resolved(db, playbook, ticket, now=now),
    ]


def on_reopened(db, ticket: Ticket, *, now: datetime) -> None:
    """A reopened ticket no longer waits for the reporter's answer."""
    asked = confirmation.pending(db, ticket)
    if asked is not None:
        asked.settled_at = now


TIMERS = [confirmation.TIMERS, *review.TIMERS, *actions.TIMERS]  # see deadlines.timer_rows


def act_on_due(db, playbook: Playbook, ticket: Ticket, *, now: datetime, due: list[str]):
    events = []
    if "confirmation.close" in due:
        events += confirmation.close_unanswered(db, ticket, now=now)
    if any(k.startswith("review.") for k in due):  # read the review only when one is due
        events += review.remind(db, playbook, ticket, now=now, due=due)
    if any(k.startswith("action.") for k in due):
        events += actions.remind(db, ticket, now=now, due=due)
    return events


__all__ = ["actions", "confirmation", "resolution", "review"]
