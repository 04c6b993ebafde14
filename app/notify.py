"""Render with blocks/ and enqueue in the outbox: the Slack side of each state change."""

from datetime import datetime

from sqlalchemy.orm import Session

from app.models import Ticket, TimelineEvent
from app.outbox import enqueue
from app.playbook import Playbook
from blocks.notices import dm_text, handoff_dm, thread_text
from blocks.tickets import card_text, opened_confirmation, ticket_card


def card_changed(db: Session, playbook: Playbook, ticket: Ticket, event: TimelineEvent, *, now):
    """Post the card (first time) or update it in place."""
    payload = {
        "channel": playbook.teams[ticket.team].queue_channel,
        "text": card_text(ticket, playbook),
        "blocks": ticket_card(ticket, playbook, now=now),
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


def direct_message(
    db: Session, ticket: Ticket, event: TimelineEvent, user_id: str, message: dict, *, now: datetime
):
    enqueue(
        db,
        key=f"dm:{event.id}:{user_id}",
        method="chat.postMessage",
        payload={"channel": user_id, **message},
        now=now,
        ticket=ticket,
    )


def events_happened(
    db: Session, playbook: Playbook, ticket: Ticket, events: list[TimelineEvent], *, now: datetime
):
    """The card, thread notices and DMs for what just happened to a ticket."""
    if not events:
        return
    card_changed(db, playbook, ticket, events[-1], now=now)
    for event in events:
        text = thread_text(event, ticket, playbook)
        if text:
            thread_notice(db, ticket, event, text, now=now)
        for user_id in (event.after or {}).get("notify", []):
            if event.kind == "handoff.offered":
                message = handoff_dm(event, ticket, playbook)
            else:
                message = {"text": dm_text(event, ticket, playbook)}
            if message.get("text"):
                direct_message(db, ticket, event, user_id, message, now=now)


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
