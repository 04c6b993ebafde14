"""The registry of side-effect kinds. Each kind says how a row becomes a Slack call
(`prepare`, inside the claiming transaction: render, find the target, or raise `Later`),
how it is sent (`send`: which errors mean success or a retry with other arguments), and
what is written back (`write_back`: a card's ts, a new channel's id). `coalesce`: one send
stands for every pending row of its stream enqueued before it (cards are rendered from the
subject as it is now). Transient failures (429, 5xx, time-outs) are the outbox's business.

A kind that waits on another names it in the row's `after`; the upstream's result (e.g.
`{"channel": "C…"}` from `channel.create`) is handed to `prepare`."""

from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from app.models import Channel, OutboxMessage, Ticket
from blocks.card import card_text, ticket_card

NAME_MAX = 80  # Slack's channel-name limit
NAME_TRIES = 20


class Later(Exception):
    """The row cannot go yet (e.g. its ticket's card is not posted); try again soon."""


@dataclass(frozen=True)
class EffectKind:
    name: str
    prepare: Callable[[Session, OutboxMessage, dict | None, object], dict]
    send: Callable[[WebClient, dict], dict]
    write_back: Callable[[Session, OutboxMessage, dict], None] | None = None
    coalesce: bool = False


def call(client: WebClient, method: str, args: dict, *, ok_errors=()) -> dict:
    """One Web API call; an error in `ok_errors` counts as done."""
    try:
        return client.api_call(method, json=args).data
    except SlackApiError as exc:
        if exc.response.get("error") in ok_errors:
            return {"ok": True, "already": exc.response.get("error")}
        raise


def _payload(db, row: OutboxMessage, upstream, context) -> dict:
    return dict(row.payload)


def _method(name: str, **options) -> Callable[[WebClient, dict], dict]:
    def send(client: WebClient, args: dict) -> dict:
        answer = call(client, name, args, **options)
        return {k: answer[k] for k in ("channel", "ts") if k in answer}

    return send


# -- the ticket card and its thread ---------------------------------------------------------


def _ticket(db: Session, row: OutboxMessage) -> Ticket:
    return db.get(Ticket, row.subject_id)


def _card_prepare(db, row: OutboxMessage, upstream, context) -> dict:
    ticket = _ticket(db, row)
    message = {
        "text": card_text(ticket, context.playbook),
        "blocks": ticket_card(ticket, context.playbook, now=context.now()),
    }
    if ticket.card_ts:
        where = {"channel": ticket.card_channel, "ts": ticket.card_ts}
        return {"method": "chat.update", **where, **message}
    return {"method": "chat.postMessage", **row.payload, **message}


def _card_send(client: WebClient, args: dict) -> dict:
    args = dict(args)
    return _method(args.pop("method"))(client, args)


def _card_write_back(db: Session, row: OutboxMessage, result: dict) -> None:
    ticket = _ticket(db, row)
    if not ticket.card_ts:
        ticket.card_channel, ticket.card_ts = result["channel"], result["ts"]


def _thread_prepare(db, row: OutboxMessage, upstream, context) -> dict:
    ticket = _ticket(db, row)
    if not ticket.card_ts:
        raise Later("card not posted yet")
    return {**row.payload, "channel": ticket.card_channel, "thread_ts": ticket.card_ts}


# -- channels ---------------------------------------------------------------------------------


def channel_name(base: str, attempt: int) -> str:
    """`base`, then `base-2`, `base-3`, ... within Slack's 80 characters."""
    if attempt == 1:
        return base[:NAME_MAX]
    suffix = f"-{attempt}"
    return base[: NAME_MAX - len(suffix)].rstrip("-_") + suffix


def _create_send(client: WebClient, args: dict) -> dict:
    """Create the channel; a taken name gets a suffix."""
    attempt = 1
    while True:
        name = channel_name(args["name"], attempt)
        try:
            answer = call(
                client, "conversations.create", {"name": name, "is_private": args["is_private"]}
            )
            return {"channel": answer["channel"]["id"], "name": name}
        except SlackApiError as exc:
            if exc.response.get("error") != "name_taken" or attempt == NAME_TRIES:
                raise
        attempt += 1


def _create_write_back(db: Session, row: OutboxMessage, result: dict) -> None:
    channel = db.get(Channel, row.payload["channel_row"])
    channel.slack_id, channel.name = result["channel"], result["name"]


def _in_channel(db, row: OutboxMessage, upstream, context) -> dict:
    """Arguments aimed at the channel the upstream effect created."""
    return {**row.payload, "channel": upstream["channel"]}


def _channel_call_send(client: WebClient, args: dict) -> dict:
    args = dict(args)
    method = args.pop("method")
    return _method(method)(client, {**args.pop("args", {}), **args})


KINDS: dict[str, EffectKind] = {
    kind.name: kind
    for kind in (
        EffectKind("message", _payload, _method("chat.postMessage")),
        EffectKind("ephemeral", _payload, _method("chat.postEphemeral")),
        EffectKind("card", _card_prepare, _card_send, _card_write_back, coalesce=True),
        EffectKind("thread", _thread_prepare, _method("chat.postMessage")),
        EffectKind("channel.create", _payload, _create_send, _create_write_back),
        EffectKind(
            "channel.invite",
            _in_channel,
            _method("conversations.invite", ok_errors=("already_in_channel", "cant_invite_self")),
        ),
        # setTopic, setPurpose, bookmarks.add, pins.add ... in the channel made upstream.
        EffectKind("channel.call", _in_channel, _channel_call_send),
    )
}
