"""Ticket changes shared by slash commands and buttons: one transaction, then delivery."""

from app import notify, tickets
from app.context import Relay
from blocks.text import escape, mention


def acknowledge(relay: Relay, key: str, user_id: str) -> str:
    with relay.sessions() as db, db.begin():
        now = relay.now()
        ticket = tickets.get_ticket(db, key, for_update=True)
        event = tickets.acknowledge(db, relay.playbook, ticket, by=user_id, now=now)
        if event is None:
            return f"{ticket.key} was already acknowledged; owner {mention(ticket.owner_id)}."
        notify.card_changed(db, relay.playbook, ticket, event, now=now)
        notify.thread_notice(db, ticket, event, f"Acknowledged by {mention(user_id)}.", now=now)
        ticket_id, reply = ticket.id, f"You acknowledged *{ticket.key}* and own it now."
    relay.deliver(ticket_id)
    return reply


def assign(relay: Relay, key: str, user_id: str, to: str) -> str:
    with relay.sessions() as db, db.begin():
        now = relay.now()
        ticket = tickets.get_ticket(db, key, for_update=True)
        event = tickets.assign(db, relay.playbook, ticket, to=to, by=user_id, now=now)
        if event is None:
            return f"{mention(to)} already owns {ticket.key}."
        notify.card_changed(db, relay.playbook, ticket, event, now=now)
        notify.thread_notice(
            db, ticket, event, f"Assigned to {mention(to)} by {mention(user_id)}.", now=now
        )
        ticket_id, reply = ticket.id, f"*{ticket.key}* now belongs to {mention(to)}."
    relay.deliver(ticket_id)
    return reply


def unknown(what: str) -> str:
    return f"I don't know `{escape(what)}`."
