"""What Relay answers the person who changed a ticket (ephemeral or DM)."""

from app.models import Ticket
from blocks.text import escape, mention


def acknowledged(ticket: Ticket, events: list) -> str:
    if not events:
        return f"{ticket.key} was already acknowledged; owner {mention(ticket.owner_id)}."
    if events[0].kind == "handoff.accepted":
        return accepted(ticket)
    return f"You acknowledged *{ticket.key}* and own it now."


def accepted(ticket: Ticket) -> str:
    return f"You accepted *{ticket.key}* and own it at {ticket.tier}."


def assigned(ticket: Ticket, events: list, to: str) -> str:
    if not events:
        return f"{mention(to)} already owns {ticket.key}."
    return f"*{ticket.key}* now belongs to {mention(to)}."


def escalated(ticket: Ticket) -> str:
    return f"*{ticket.key}* is escalated to {ticket.tier}; the handoff is offered."


def severity_changed(ticket: Ticket, events: list) -> str:
    if not events:
        return f"{ticket.key} is already Sev{ticket.severity}."
    return f"*{ticket.key}* is now Sev{ticket.severity}; its clocks were re-targeted."


def waiting(ticket: Ticket) -> str:
    return f"*{ticket.key}* is waiting on the customer; the resolution clock is paused."


def resumed(ticket: Ticket) -> str:
    return f"*{ticket.key}* resumed; the resolution clock runs again."


def resolved(ticket: Ticket) -> str:
    return f"*{ticket.key}* is resolved; its clocks are stopped."


def unknown(what: str) -> str:
    return f"I don't know `{escape(what)}`."
