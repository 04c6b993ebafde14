"""Ticket changes shared by slash commands, buttons and modals: one transaction (the
domain change and its Slack side effects), then delivery."""

from collections.abc import Callable

from app import escalation, notify, tickets
from app.context import Relay
from app.models import Ticket
from blocks.text import escape, mention


def apply(relay: Relay, key: str, change: Callable) -> tuple[Ticket, list]:
    """Run `change(db, ticket, now)` on the locked ticket; it returns events (or None)."""
    with relay.sessions() as db, db.begin():
        now = relay.now()
        ticket = tickets.get_ticket(db, key, for_update=True)
        result = change(db, ticket, now)
        events = [e for e in (result if isinstance(result, list) else [result]) if e]
        notify.events_happened(db, relay.playbook, ticket, events, now=now)
    if events:
        relay.deliver(ticket.id)
    return ticket, events


def acknowledge(relay: Relay, key: str, user_id: str) -> str:
    """Acknowledge, or accept the handoff when one is waiting for this person."""
    pb = relay.playbook

    def change(db, ticket, now):
        if ticket.handoff_to and escalation.may_accept(pb, ticket, user_id):
            return escalation.accept_handoff(db, pb, ticket, by=user_id, now=now)
        return tickets.acknowledge(db, pb, ticket, by=user_id, now=now)

    ticket, events = apply(relay, key, change)
    if not events:
        return f"{ticket.key} was already acknowledged; owner {mention(ticket.owner_id)}."
    if events[0].kind == "handoff.accepted":
        return f"You accepted *{ticket.key}* and own it at {ticket.tier}."
    return f"You acknowledged *{ticket.key}* and own it now."


def accept(relay: Relay, key: str, user_id: str) -> str:
    ticket, _ = apply(
        relay,
        key,
        lambda db, t, now: escalation.accept_handoff(db, relay.playbook, t, by=user_id, now=now),
    )
    return f"You accepted *{ticket.key}* and own it at {ticket.tier}."


def assign(relay: Relay, key: str, user_id: str, to: str) -> str:
    ticket, events = apply(
        relay,
        key,
        lambda db, t, now: tickets.assign(db, relay.playbook, t, to=to, by=user_id, now=now),
    )
    if not events:
        return f"{mention(to)} already owns {ticket.key}."
    return f"*{ticket.key}* now belongs to {mention(to)}."


def escalate(relay: Relay, key: str, user_id: str, note: str) -> str:
    def change(db, ticket, now):
        tickets.require_may_act(relay.playbook, ticket, user_id)
        return escalation.escalate(
            db, relay.playbook, ticket, by=user_id, now=now, reason="manual", note=note
        )

    ticket, _ = apply(relay, key, change)
    return f"*{ticket.key}* is escalated to {ticket.tier}; the handoff is offered."


def change_severity(relay: Relay, key: str, user_id: str, severity: int, reason: str) -> str:
    ticket, events = apply(
        relay,
        key,
        lambda db, t, now: escalation.change_severity(
            db, relay.playbook, t, severity=severity, by=user_id, now=now, reason=reason
        ),
    )
    if not events:
        return f"{ticket.key} is already Sev{severity}."
    return f"*{ticket.key}* is now Sev{severity}; its clocks were re-targeted."


def wait(relay: Relay, key: str, user_id: str) -> str:
    ticket, _ = apply(
        relay,
        key,
        lambda db, t, now: escalation.wait_on_customer(db, relay.playbook, t, by=user_id, now=now),
    )
    return f"*{ticket.key}* is waiting on the customer; the resolution clock is paused."


def resume(relay: Relay, key: str, user_id: str) -> str:
    ticket, _ = apply(
        relay, key, lambda db, t, now: escalation.resume(db, relay.playbook, t, by=user_id, now=now)
    )
    return f"*{ticket.key}* resumed; the resolution clock runs again."


def resolve(relay: Relay, key: str, user_id: str, summary: str) -> str:
    ticket, _ = apply(
        relay,
        key,
        lambda db, t, now: escalation.resolve(
            db, relay.playbook, t, by=user_id, now=now, summary=summary
        ),
    )
    return f"*{ticket.key}* is resolved; its clocks are stopped."


def unknown(what: str) -> str:
    return f"I don't know `{escape(what)}`."
