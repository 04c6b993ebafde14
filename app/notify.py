"""Render with blocks/ and enqueue in the outbox: the Slack side of each state change."""

from datetime import datetime

from sqlalchemy.orm import Session

from app.models import Ticket, TimelineEvent
from app.outbox import enqueue
from app.playbook import Playbook
from blocks.tickets import card_text, opened_confirmation, ticket_card


def card_changed(db: Session, playbook: Playbook, ticket: Ticket, event: TimelineEvent, *, now):
    """Post the card (first time) or update it in place."""
    payload = {
        "channel": playbook.teams[ticket.team].queue_channel,
        "text": card_text(ticket, playbook),
        "blocks": ticket_card(ticket, playbook),
        "unfurl_links": False,
    }
    enqueue(
        db,
        key=f"card:{ticket.id}:{event.id}",
        method="relay.card",
        payload=payload,
        now=now,
        ticket=ticket,
    )


def thread_notice(db: Session, ticket: Ticket, event: TimelineEvent, text: str, *, now: datetime):
    """A notice in the card's thread (posted once the card exists)."""
    enqueue(
        db,
        key=f"thread:{ticket.id}:{event.id}",
        method="relay.thread",
        payload={"text": text},
        now=now,
        ticket=ticket,
    )


def confirm_opened(db: Session, playbook: Playbook, ticket: Ticket, *, now: datetime):
    """Tell the submitter: ephemeral where they started, or a DM from a global shortcut."""
    text = opened_confirmation(ticket, playbook)
    if ticket.origin_channel:
        method = "chat.postEphemeral"
        payload = {"channel": ticket.origin_channel, "user": ticket.reporter_id, "text": text}
    else:
        method = "chat.postMessage"
        payload = {"channel": ticket.reporter_id, "text": text}
    enqueue(db, key=f"confirm:{ticket.id}", method=method, payload=payload, now=now, ticket=ticket)
