"""What the learning loop posts beyond thread notices and plain DMs (blocks/learning.py):
the reporter's "Did this fix it?" DM with its buttons, and the review canvas."""

from sqlalchemy.orm import object_session

from app.effects.incident_effects import create_key
from app.effects.outbox import row
from app.incidents.rooms import open_rooms
from app.models import Ticket, TimelineEvent
from app.playbook import Playbook
from app.reviews import actions
from app.tickets.timeline import timeline
from blocks.learning import confirmation_dm
from blocks.review_canvas import review_markdown


def learning_rows(playbook: Playbook, ticket: Ticket, events: list[TimelineEvent], *, now):
    rows = []
    subject = ("ticket", ticket.id)
    for event in events:
        if event.kind == "confirmation.asked":
            message = confirmation_dm(ticket, playbook)
            payload = {"channel": event.after["reporter"], **message}
            key = f"dm:{event.id}:{event.after['reporter']}"
            rows.append(row(key=key, kind="message", payload=payload, now=now, subject=subject))
        elif event.kind == "review.drafted":
            rows.append(_canvas_row(playbook, ticket, event, now=now))
    return rows


def _canvas_row(playbook: Playbook, ticket: Ticket, event: TimelineEvent, *, now) -> dict:
    """The draft as it stands now, in the war room or swarm if still open, else the queue."""
    db = object_session(ticket)
    items = actions.open_items(db, ticket_ids=[ticket.id])
    markdown = review_markdown(ticket, playbook, timeline(db, ticket), items, now=now)
    payload = {
        "title": f"Review: {ticket.key}"[:150],
        "markdown": markdown,
        "review": event.after["review"],
    }
    room = open_rooms(db, [ticket.id]).get(ticket.id)
    if room is not None:
        payload["channel_row"], after = room, create_key(room)
    else:
        payload["channel"], after = playbook.teams[ticket.team].queue_channel, None
    return row(
        key=f"canvas:{event.id}",
        kind="canvas.create",
        payload=payload,
        now=now,
        subject=("ticket", ticket.id),
        stream=f"canvas:{event.after['review']}",  # a later draft edits what the first made
        after=after,
    )
