"""The ticket card (posted into the team's queue channel, then updated in place) and
posts into its thread."""

from slack_sdk import WebClient
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from app.comms import cadence, updates
from app.effects.sending import Later, call, find_posted, with_key
from app.models import Channel, OutboxMessage, SituationUpdate, Ticket, UpdateCadence
from blocks.card import card_text, ticket_card
from blocks.comms import card_line


def _ticket(db: Session, row: OutboxMessage) -> Ticket:
    return db.get(Ticket, row.subject_id)


_ticket_id = bindparam("ticket")
# A ticket and what its card shows beside it, in one query (built once: a tick draws a
# hundred cards, each a transaction while other lanes wait for a connection): its room,
# when its last situation update was posted and when the next one is due.
_CARD = select(
    Ticket,
    select(Channel.slack_id).where(Channel.ticket_id == _ticket_id).limit(1).scalar_subquery(),
    updates.LATEST.with_only_columns(SituationUpdate.posted_at).scalar_subquery(),
    select(UpdateCadence.due_at).where(UpdateCadence.ticket_id == _ticket_id).scalar_subquery(),
).where(Ticket.id == _ticket_id)


def card_prepare(db, row: OutboxMessage, upstream, context) -> dict:
    ticket, room, last, due = db.execute(_CARD, {"ticket": row.subject_id}).one()
    line = card_line(ticket, context.playbook, last, due if cadence.owes_updates(ticket) else None)
    card = ticket_card(ticket, context.playbook, now=context.now(), room=room, updates=line)
    message = {"text": card_text(ticket, context.playbook), "blocks": card}
    if ticket.card_ts:
        where = {"channel": ticket.card_channel, "ts": ticket.card_ts}
        return {"method": "chat.update", **where, **message}
    return with_key({"method": "chat.postMessage", **row.payload, **message}, row.idem_key)


def card_find(client: WebClient, args: dict) -> dict | None:
    return find_posted(client, args) if args["method"] == "chat.postMessage" else None


# Built once, and Core (no ORM bookkeeping): it runs after every card Slack first accepts.
_TICKETS = Ticket.__table__
_POSTED = (
    update(_TICKETS)
    .where(_TICKETS.c.id == bindparam("ticket"), _TICKETS.c.card_ts.is_(None))
    .values(card_channel=bindparam("channel"), card_ts=bindparam("ts"))
)
# Where the card is, for a post in its thread: two columns, not the whole ticket.
_CARD_AT = select(_TICKETS.c.card_channel, _TICKETS.c.card_ts).where(
    _TICKETS.c.id == bindparam("ticket")
)


def card_write_back(db: Session, row: OutboxMessage, args: dict, result: dict) -> None:
    """Where the card was first posted, in one UPDATE (an update of it changes nothing)."""
    if args["method"] == "chat.postMessage":
        where = {"ticket": row.subject_id, "channel": result["channel"], "ts": result["ts"]}
        db.connection().execute(_POSTED, where)


def permalink_send(client: WebClient, args: dict) -> dict:
    return {"permalink": call(client, "chat.getPermalink", args)["permalink"]}


def permalink_write_back(db: Session, row: OutboxMessage, args: dict, result: dict) -> None:
    if result["permalink"].startswith("https://"):
        _ticket(db, row).source_permalink = result["permalink"][:500]


def thread_prepare(db, row: OutboxMessage, upstream, context) -> dict:
    channel, ts = db.connection().execute(_CARD_AT, {"ticket": row.subject_id}).one()
    if not ts:
        raise Later("card not posted yet")
    return with_key({**row.payload, "channel": channel, "thread_ts": ts}, row.idem_key)
