"""What each change to a ticket posts: the card (posted, then updated in place), one thread
notice for what happened at once, and DMs. Rendered with blocks/, enqueued in the outbox."""

from datetime import datetime, timedelta

from app.effects.comms_effects import comms_rows
from app.effects.incident_effects import incident_rows
from app.effects.learning_effects import learning_rows
from app.effects.outbox import row
from app.models import Ticket, TimelineEvent
from app.playbook import Playbook
from blocks.approvals import request_dm
from blocks.card import opened_confirmation
from blocks.notices import LATE, dm_text, handoff_dm, marked_late, thread_text

SUPERSEDED = ("escalated", "handoff.offered", "manager.notified")
TIMED = ("sla.warning", "sla.breached")  # events that fire at a due time they carry
LATE_AFTER = timedelta(minutes=10)
# DMs with buttons: a handoff's Accept; an approval's Approve / Reject
WITH_BUTTONS = {
    "handoff.offered": handoff_dm,
    "approval.requested": request_dm,
    "approval.escalated": request_dm,
}


def _subject(ticket: Ticket) -> tuple[str, int]:
    return ("ticket", ticket.id)


def card_key(ticket: Ticket, events: list[TimelineEvent]) -> str:
    """The key of the card row these events enqueue."""
    return f"card:{ticket.id}:{events[-1].id}"


def event_rows(
    playbook: Playbook, ticket: Ticket, events: list[TimelineEvent], *, now, rooms=None
) -> list:
    """The card, thread notice and DMs for what just happened to a ticket (events must
    have their ids: flush first). `rooms`: the open channels of a batch of tickets, from
    `incidents.open_rooms` (else the ticket's is looked up)."""
    if not events:
        return []
    subject, last = _subject(ticket), events[-1].id
    rows = [
        row(
            key=card_key(ticket, events),
            kind="card",
            payload={"channel": playbook.teams[ticket.team].queue_channel, "unfurl_links": False},
            now=now,
            subject=subject,
            stream=f"card:{ticket.id}",
        )
    ]
    # One thread message for what happened at once: fewer posts under Slack's per-channel limit.
    texts = [t for t in (thread_text(e, ticket, playbook) for e in events) if t]
    late = _late(events, now)
    if texts and late:
        texts.append(LATE)
    if texts:
        rows.append(
            row(
                key=f"thread:{ticket.id}:{last}",
                kind="thread",
                payload={"text": "\n".join(texts)},
                now=now,
                subject=subject,
                stream=f"thread:{ticket.id}",
            )
        )
    for event in _still_meant(events):
        for user_id in (event.after or {}).get("notify", []):
            if event.kind in WITH_BUTTONS:
                message = WITH_BUTTONS[event.kind](event, ticket, playbook)
            else:
                message = {"text": dm_text(event, ticket, playbook)}
            if message.get("text") and late:
                message = marked_late(message)
            if message.get("text"):
                rows.append(
                    row(
                        key=f"dm:{event.id}:{user_id}",
                        kind="message",
                        payload={"channel": user_id, **message},
                        now=now,
                        subject=subject,
                    )
                )
    return (
        rows
        + incident_rows(playbook, ticket, events, now=now, rooms=rooms)
        + learning_rows(playbook, ticket, events, now=now)
        + comms_rows(playbook, ticket, events, now=now)
    )


def _late(events: list[TimelineEvent], now: datetime) -> bool:
    """Whether these events fired well after the moment they were due (the clock was not
    running then): what is sent for them says so."""
    due = [e.after["due_at"] for e in events if e.kind in TIMED and (e.after or {}).get("due_at")]
    return any(now - datetime.fromisoformat(at) > LATE_AFTER for at in due)


def _still_meant(events: list[TimelineEvent]) -> list[TimelineEvent]:
    """The events whose DMs still mean something: when several climbs or handoff offers
    happened at once (catching up after an outage), only the last of each kind is sent;
    the timeline and the thread keep them all."""
    last = {e.kind: e for e in events if e.kind in SUPERSEDED}
    return [e for e in events if e.kind not in SUPERSEDED or last[e.kind] is e]


def permalink_row(ticket: Ticket, *, now: datetime) -> dict:
    """Look up the source message's permalink for the card, after the ticket is saved."""
    return row(
        key=f"permalink:{ticket.id}",
        kind="permalink",
        payload={"channel": ticket.source_channel, "message_ts": ticket.source_ts},
        now=now,
        subject=_subject(ticket),
        stream=f"card:{ticket.id}",
    )


def confirmation_row(playbook: Playbook, ticket: Ticket, *, now: datetime, after: str) -> dict:
    """Tell the submitter: ephemeral where they started, or a DM from a global shortcut;
    once the card (`after`) is posted, since the confirmation says where it is."""
    text = opened_confirmation(ticket, playbook)
    if ticket.origin_channel:
        kind = "ephemeral"
        payload = {"channel": ticket.origin_channel, "user": ticket.reporter_id, "text": text}
    else:
        kind, payload = "message", {"channel": ticket.reporter_id, "text": text}
    key, subject = f"confirm:{ticket.id}", _subject(ticket)
    return row(key=key, kind=kind, payload=payload, now=now, subject=subject, after=after)
