"""`/esc timeline`: a ticket's timeline, a page at a time (ephemeral). Each line is what the
card's thread says of the event where it says something, else a short label; text people
typed is escaped, and a confidential ticket's notes stay out (as in its thread)."""

import re

from app.models import Ticket, TimelineEvent
from app.playbook import Playbook
from app.tickets.access import is_confidential
from blocks.labels import due_time
from blocks.notices import thread_text
from blocks.text import escape, mention, truncate

PAGE_SIZE = 20
LINE_MAX = 600
SAFE_LINK = re.compile(r"^https://[^\s<>|]+$")
LABELS = {
    "opened": "Opened",
    "severity.suggested": "Severity suggested",
    "redacted": "Secrets redacted from the ticket's text",
    "war_room.opened": "War room opened",
    "swarm.opened": "Swarm channel opened",
    "channel.resolved": "Resolution posted in the channel",
    "slack.failed": "A Slack call failed",
    "clock.set_aside": "The clock set this ticket aside",
    "clock.not_notified": "The clock could not notify",
}


def _captured(event: TimelineEvent, ticket: Ticket, playbook: Playbook) -> str:
    a = event.after or {}
    said = "" if is_confidential(playbook, ticket) else escape(truncate(a.get("text") or "", 400))
    link = a.get("permalink") or ""
    shown = f" (<{link}|message>)" if SAFE_LINK.match(link) else ""
    by = f" by {mention(event.actor_id)}" if event.actor_id else ""
    return f":pushpin: Pinned{by}: {mention(a.get('author'))}: “{said}”{shown}"


def describe(event: TimelineEvent, ticket: Ticket, playbook: Playbook) -> str:
    if event.kind == "pin.captured":
        return _captured(event, ticket, playbook)
    said = thread_text(event, ticket, playbook)
    if said:
        return said
    label = LABELS.get(event.kind, event.kind.replace(".", " ").replace("_", " ").capitalize())
    by = f" by {mention(event.actor_id)}" if event.actor_id else ""
    name = (event.after or {}).get("name")
    return f"{label}{f' `#{escape(name)}`' if name else ''}{by}."


def pages(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


def timeline_page(
    ticket: Ticket, playbook: Playbook, events: list[TimelineEvent], *, page: int, total: int
) -> dict:
    """One page of the timeline, oldest first; the context line says how to see the next."""
    lines = [
        f"{due_time(ticket, playbook, e.at)} · {truncate(describe(e, ticket, playbook), LINE_MAX)}"
        for e in events
    ]
    last = pages(total)
    more = f" · next: `/esc timeline {ticket.key} {page + 1}`" if page < last else ""
    head = f"*Timeline of {ticket.key}* (page {page} of {last}, {total} events)"
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": head}}]
    blocks += [{"type": "section", "text": {"type": "mrkdwn", "text": line}} for line in lines]
    footer = f"Oldest first{more}" if lines else "Nothing on this page."
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": footer}]})
    return {"text": f"Timeline of {ticket.key}, page {page} of {last}", "blocks": blocks}
