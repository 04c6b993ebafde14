"""Render with blocks/ and enqueue in the outbox: the Slack side of each state change."""

from datetime import datetime

from sqlalchemy.orm import Session

from app.models import Ticket, TimelineEvent
from app.outbox import enqueue_rows, row
from app.playbook import Playbook
from blocks.notices import dm_text, handoff_dm, thread_text
from blocks.tickets import card_text, opened_confirmation, ticket_card


def card_message(playbook: Playbook, ticket: Ticket, *, now: datetime) -> dict:
    """The card as it is now; rendered when it is delivered (see outbox.deliver)."""
    return {"text": card_text(ticket, playbook), "blocks": ticket_card(ticket, playbook, now=now)}


def card_row(playbook: Playbook, ticket: Ticket, event: TimelineEvent, *, now) -> dict:
    """Post the card (first time) or update it in place."""
    payload = {"channel": playbook.teams[ticket.team].queue_channel, "unfurl_links": False}
    return row(
        key=f"card:{ticket.id}:{event.id}",
        method="relay.card",
        payload=payload,
        now=now,
        ticket=ticket,
    )


def event_rows(playbook: Playbook, ticket: Ticket, events: list[TimelineEvent], *, now) -> list:
    """The card, thread notices and DMs for what just happened to a ticket (events must
    have their ids: flush first)."""
    if not events:
        return []
    rows = [card_row(playbook, ticket, events[-1], now=now)]
    # One thread message for what happened at once: fewer posts under Slack's per-channel limit.
    texts = [t for t in (thread_text(e, ticket, playbook) for e in events) if t]
    if texts:
        key = f"thread:{ticket.id}:{events[-1].id}"
        payload = {"text": "\n".join(texts)}
        rows.append(row(key=key, method="relay.thread", payload=payload, now=now, ticket=ticket))
    for event in events:
        for user_id in (event.after or {}).get("notify", []):
            if event.kind == "handoff.offered":
                message = handoff_dm(event, ticket, playbook)
            else:
                message = {"text": dm_text(event, ticket, playbook)}
            if message.get("text"):
                rows.append(
                    row(
                        key=f"dm:{event.id}:{user_id}",
                        method="chat.postMessage",
                        payload={"channel": user_id, **message},
                        now=now,
                        ticket=ticket,
                    )
                )
    return rows


def events_happened(
    db: Session, playbook: Playbook, ticket: Ticket, events: list[TimelineEvent], *, now: datetime
):
    db.flush()
    enqueue_rows(db, event_rows(playbook, ticket, events, now=now))


def confirm_opened(db: Session, playbook: Playbook, ticket: Ticket, *, now: datetime):
    """Tell the submitter: ephemeral where they started, or a DM from a global shortcut."""
    text = opened_confirmation(ticket, playbook)
    if ticket.origin_channel:
        method = "chat.postEphemeral"
        payload = {"channel": ticket.origin_channel, "user": ticket.reporter_id, "text": text}
    else:
        method = "chat.postMessage"
        payload = {"channel": ticket.reporter_id, "text": text}
    enqueue_rows(
        db,
        [row(key=f"confirm:{ticket.id}", method=method, payload=payload, now=now, ticket=ticket)],
    )
