"""Channels Relay makes (war rooms, swarms): create with a free name, then act in it. Each
row names its channel by the `channels` row id; the Slack id comes from `channel.create`
upstream (every channel row waits for it)."""

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from app.effects.sending import Later, call, find_posted, method, send_method, where, with_key
from app.incidents import holders
from app.models import Channel, OutboxMessage, OutboxStatus, Ticket
from blocks import incidents as views

NAME_MAX = 80  # Slack's channel-name limit
NAME_TRIES = 20


def channel_name(base: str, attempt: int) -> str:
    """`base`, then `base-2`, `base-3`, ... within Slack's 80 characters."""
    if attempt == 1:
        return base[:NAME_MAX]
    suffix = f"-{attempt}"
    return base[: NAME_MAX - len(suffix)].rstrip("-_") + suffix


def _free_name(client: WebClient, method_name: str, args: dict, name_arg: str) -> dict:
    """Call `method_name` with `args[name_arg]`, then `-2`, `-3`, ... while the name is taken."""
    attempt = 1
    while True:
        name = channel_name(args[name_arg], attempt)
        try:
            return {"answer": call(client, method_name, {**args, name_arg: name}), "name": name}
        except SlackApiError as exc:
            if exc.response.get("error") != "name_taken" or attempt == NAME_TRIES:
                raise
        attempt += 1


def create_send(client: WebClient, args: dict) -> dict:
    """Create the channel; a taken name gets a suffix."""
    wanted = {"name": args["name"], "is_private": args["is_private"]}
    made = _free_name(client, "conversations.create", wanted, "name")
    return {"channel": made["answer"]["channel"]["id"], "name": made["name"]}


def _channel(db: Session, row: OutboxMessage) -> Channel:
    return db.get(Channel, row.payload["channel_row"])


def create_write_back(db: Session, row: OutboxMessage, args: dict, result: dict) -> None:
    """Record the channel, and update the ticket's card to link to it."""
    channel = _channel(db, row)
    channel.slack_id, channel.name = result["channel"], result["name"]
    # Even before the card is posted: its first post may be on its way, rendered without the
    # link (another lane). Queued behind it in the card's stream, this one adds the link.
    db.add(_row(row, f"card:{row.subject_id}:room:{channel.id}", "card", {}, row.created_at))
    text = views.channel_ready(channel.purpose, channel.slack_id, channel.is_private)
    db.add(_row(row, f"thread:room:{channel.id}", "thread", {"text": text}, row.created_at))


def in_channel(db, row: OutboxMessage, upstream, context) -> dict:
    """Arguments aimed at the channel the upstream effect created (under `channel_arg`,
    `channel` by default: bookmarks.add calls it `channel_id`)."""
    args = {k: v for k, v in row.payload.items() if k not in ("channel_row", "channel_arg")}
    return {**args, row.payload.get("channel_arg", "channel"): upstream["channel"]}


invite_send = method("conversations.invite", ok_errors=("already_in_channel", "cant_invite_self"))
archive_send = method("conversations.archive", ok_errors=("already_archived",))


def unarchive_send(client: WebClient, args: dict) -> dict:
    """Bring the channel back; what waits on this row is told which channel it is."""
    call(client, "conversations.unarchive", args, ok_errors=("not_archived",))
    return {"channel": args["channel"]}


def call_send(client: WebClient, args: dict) -> dict:
    """`{"method": "conversations.setPurpose", "args": {...}}` in the channel."""
    args = dict(args)
    return send_method(client, {**args.pop("args", {}), **args})


def post_prepare(db, row: OutboxMessage, upstream, context) -> dict:
    return with_key(in_channel(db, row, upstream, context), row.idem_key)


def post_send(client: WebClient, args: dict) -> dict:
    return where(call(client, "chat.postMessage", args))


def pin_prepare(db, row: OutboxMessage, upstream, context) -> dict:
    """Pin the message posted upstream."""
    return {"channel": upstream["channel"], "timestamp": upstream["ts"]}


pin_send = method("pins.add", ok_errors=("already_pinned",))


def _ticket(db: Session, row: OutboxMessage) -> Ticket:
    return db.get(Ticket, row.subject_id)


def topic_prepare(db, row: OutboxMessage, upstream, context) -> dict:
    """The topic as things stand when it is sent: severity, IC or facilitator, status."""
    ticket = _ticket(db, row)
    text = views.topic(ticket, context.playbook, holders(db, ticket))
    return {"channel": upstream["channel"], "topic": text}


topic_send = method("conversations.setTopic")


def role_card_prepare(db, row: OutboxMessage, upstream, context) -> dict:
    """The role card as things stand: posted once, then updated in place."""
    ticket, channel = _ticket(db, row), _channel(db, row)
    card = views.role_card(ticket, holders(db, ticket))
    where_to = {"channel": upstream["channel"], **card}
    if channel.role_card_ts:
        return {"method": "chat.update", "ts": channel.role_card_ts, **where_to}
    return with_key({"method": "chat.postMessage", **where_to}, row.idem_key)


def role_card_find(client: WebClient, args: dict) -> dict | None:
    return find_posted(client, args) if args["method"] == "chat.postMessage" else None


def role_card_write_back(db: Session, row: OutboxMessage, args: dict, result: dict) -> None:
    if args["method"] == "chat.postMessage":  # an update of it changes nothing
        channel = _channel(db, row)
        channel.role_card_ts = channel.role_card_ts or result["ts"]


def rename_prepare(db, row: OutboxMessage, upstream, context) -> dict:
    return {"channel": upstream["channel"], "name": row.payload["name"]}


def rename_send(client: WebClient, args: dict) -> dict:
    """Rename; a taken name gets a suffix, like a new channel."""
    made = _free_name(client, "conversations.rename", args, "name")
    return {"channel": args["channel"], "name": made["name"]}


def rename_write_back(db: Session, row: OutboxMessage, args: dict, result: dict) -> None:
    _channel(db, row).name = result["name"]


def bookmark_card_prepare(db, row: OutboxMessage, upstream, context) -> dict:
    """Bookmark the ticket's card, once it is posted."""
    ticket = _ticket(db, row)
    if not ticket.card_ts:
        raise Later("card not posted yet")
    card = {"channel": ticket.card_channel, "message_ts": ticket.card_ts}
    return {"card": card, "channel_id": upstream["channel"], "title": f"{ticket.key} card"}


def bookmark_card_send(client: WebClient, args: dict) -> dict:
    link = call(client, "chat.getPermalink", args["card"])["permalink"]
    bookmark = {"channel_id": args["channel_id"], "title": args["title"], "type": "link"}
    answer = call(client, "bookmarks.add", {**bookmark, "link": link})
    return {"bookmark": (answer.get("bookmark") or {}).get("id")}


def failure_note_row(row: OutboxMessage, now) -> OutboxMessage:
    """A note in the ticket's card thread that this part of its channel failed."""
    text = views.failure_note(row.kind, row.last_error or "error", row.payload.get("users"))
    return _row(row, f"failnote:{row.id}", "thread", {"text": text}, now)


def _row(source: OutboxMessage, key: str, kind: str, payload: dict, now) -> OutboxMessage:
    """A card or thread row for the ticket `source` belongs to, in its stream."""
    return OutboxMessage(
        idem_key=key[:200],
        kind=kind,
        subject=source.subject,
        subject_id=source.subject_id,
        stream=f"{kind}:{source.subject_id}",
        payload=payload,
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
