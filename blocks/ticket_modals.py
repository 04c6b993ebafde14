"""Modals that change a ticket: escalate (warm handoff note), change severity, resolve;
and the read-only ticket view opened from App Home."""

import json
from datetime import datetime

from app.models import Ticket
from app.playbook import Playbook
from blocks.card import ticket_details
from blocks.ids import Callback, Field
from blocks.inputs import input_block, text_input
from blocks.labels import hidden_title
from blocks.learning import root_cause_input
from blocks.text import plain, truncate


def _modal(callback: Callback, title: str, submit: str, ticket: Ticket, blocks: list) -> dict:
    return {
        "type": "modal",
        "callback_id": callback,
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": submit},
        "close": {"type": "plain_text", "text": "Cancel"},
        # What the person saw when the form opened: a change made meanwhile is not redone.
        "private_metadata": json.dumps(
            {"key": ticket.key, "tier": ticket.tier, "severity": ticket.severity}
        ),
        "blocks": blocks,
    }


def _context(ticket: Ticket, playbook: Playbook) -> dict:
    title = hidden_title(ticket, playbook) or truncate(ticket.title, 140)
    text = f"{ticket.key}: {plain(title)}"
    return {"type": "context", "elements": [{"type": "plain_text", "text": text}]}


def escalate_modal(ticket: Ticket, playbook: Playbook, *, note: str = "") -> dict:
    hint = "What was tried, what is known, what the next tier should look at first."
    blocks = [
        _context(ticket, playbook),
        input_block(Field.HANDOFF_NOTE, "Handoff note", text_input(note), hint=hint),
    ]
    return _modal(Callback.ESCALATE, f"Escalate {ticket.key}"[:24], "Escalate", ticket, blocks)


def severity_modal(ticket: Ticket, playbook: Playbook) -> dict:
    options = [
        {
            "text": {"type": "plain_text", "text": plain(f"{sev.name}: {sev.definition}", 75)},
            "value": str(level),
        }
        for level, sev in ((n, playbook.severity(n)) for n in (1, 2, 3, 4))
    ]
    current = next(o for o in options if o["value"] == str(ticket.severity))
    select = {"type": "static_select", "options": options, "initial_option": current}
    blocks = [
        _context(ticket, playbook),
        input_block(Field.NEW_SEVERITY, "Severity", select),
        input_block(
            Field.REASON,
            "Why",
            text_input(limit=500),
            optional=True,
            hint="Needed to lower the severity; recorded on the timeline. No clock is put in "
            "breach by the change.",
        ),
    ]
    return _modal(Callback.SEVERITY, "Change severity", "Change", ticket, blocks)


def resolve_modal(ticket: Ticket, playbook: Playbook, *, summary: str = "") -> dict:
    """The summary; for a Sev1/Sev2 also the root-cause category."""
    blocks = [
        _context(ticket, playbook),
        input_block(Field.SUMMARY, "Resolution summary", text_input(summary, limit=2000)),
    ]
    if ticket.severity <= 2:
        blocks.append(root_cause_input(playbook))
    return _modal(Callback.RESOLVE, f"Resolve {ticket.key}"[:24], "Resolve", ticket, blocks)


def ticket_modal(ticket: Ticket, playbook: Playbook, *, now: datetime) -> dict:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": ticket.key[:24]},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": ticket_details(ticket, playbook, now=now),
    }
