"""chat.* methods."""

from __future__ import annotations

from app.simulator import shapes
from app.simulator.blockkit import BlockError, check_message_blocks, decode, with_ids
from app.simulator.records import SlackError
from app.simulator.registry import flag, method
from app.simulator.state import Channel, Workspace


def target_channel(ws: Workspace, ref: str) -> Channel:
    """A channel the bot can see: an id or name, or a user id meaning the bot's DM with them."""
    if ref in ws.users and ref != ws.bot_user_id:
        return ws.open_im(ref)
    channel = ws.find_channel(ref)
    if channel is None or not ws.bot_can_see(channel):
        raise SlackError("channel_not_found")
    return channel


def _writable(ws: Workspace, ref: str) -> Channel:
    channel = target_channel(ws, ref)
    if channel.archived:
        raise SlackError("is_archived")
    if ws.bot_user_id not in channel.members:
        raise SlackError("not_in_channel")
    return channel


def _content(args: dict, *, required: bool = True) -> tuple[str, list | None]:
    text = args.get("text") or ""
    try:
        blocks = check_message_blocks(args["blocks"]) if args.get("blocks") else None
        attachments = decode(args["attachments"]) if args.get("attachments") else None
    except BlockError as exc:
        raise SlackError(exc.code) from exc
    if required and not text and not blocks and not attachments:
        raise SlackError("no_text")
    return str(text), blocks


def _message(ws: Workspace, channel: Channel, ts) -> dict:
    msg = channel.messages.get(str(ts or ""))
    if msg is None:
        raise SlackError("message_not_found")
    return msg


POST_ERRORS = (
    "invalid_metadata_format",
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "no_text",
    "invalid_blocks",
    "invalid_blocks_format",
)


@method(
    "chat.postMessage",
    required=("channel",),
    errors=POST_ERRORS,
    missing={"channel": "channel_not_found"},
)
def post_message(ws: Workspace, args: dict) -> dict:
    channel = _writable(ws, args["channel"])
    text, blocks = _content(args)
    metadata = _metadata(args.get("metadata"))
    msg = ws.add_message(
        channel,
        author=ws.bot_user_id,
        text=text,
        blocks=with_ids(blocks, ws.ids.short) if blocks else None,
        thread_ts=args.get("thread_ts"),
        link_names=flag(args, "link_names"),
    )
    if metadata:
        msg["metadata"] = metadata
    return {"channel": channel.id, "ts": msg["ts"], "message": shapes.message(msg)}


def _metadata(value) -> dict | None:
    """Message metadata: an object (or its JSON) with a string event_type and an object
    event_payload."""
    if value in (None, ""):
        return None
    try:
        found = decode(value) if isinstance(value, str) else value
    except BlockError as exc:
        raise SlackError("invalid_metadata_format") from exc
    if not (
        isinstance(found, dict)
        and isinstance(found.get("event_type"), str)
        and isinstance(found.get("event_payload"), dict)
    ):
        raise SlackError("invalid_metadata_format")
    return {"event_type": found["event_type"], "event_payload": found["event_payload"]}


@method(
    "chat.update",
    required=("channel", "ts"),
    errors=(
        "channel_not_found",
        "message_not_found",
        "cant_update_message",
        "no_text",
        "invalid_blocks",
        "invalid_blocks_format",
    ),
    missing={"channel": "channel_not_found", "ts": "message_not_found"},
)
def update(ws: Workspace, args: dict) -> dict:
    channel = target_channel(ws, args["channel"])
    msg = _message(ws, channel, args["ts"])
    if msg.get("user") != ws.bot_user_id:
        raise SlackError("cant_update_message")
    text, blocks = _content(args)
    msg["text"] = text
    if "blocks" in args:
        if blocks:
            msg["blocks"] = with_ids(blocks, ws.ids.short)
        else:
            msg.pop("blocks", None)
    msg["edited"] = {"user": ws.bot_user_id, "ts": ws.ids.ts()}
    ws.observe(
        "message_updated",
        user=channel.im_user,
        channel=channel.id,
        ts=msg["ts"],
        thread_ts=msg.get("thread_ts"),
        text=text,
        blocks=msg.get("blocks"),
        author=ws.bot_user_id,
        public=True,
    )
    return {"channel": channel.id, "ts": msg["ts"], "text": text, "message": shapes.message(msg)}


@method(
    "chat.postEphemeral",
    required=("channel", "user"),
    errors=(
        "channel_not_found",
        "user_not_in_channel",
        "not_in_channel",
        "is_archived",
        "no_text",
        "invalid_blocks",
        "invalid_blocks_format",
    ),
    missing={"channel": "channel_not_found", "user": "user_not_in_channel"},
)
def post_ephemeral(ws: Workspace, args: dict) -> dict:
    channel = _writable(ws, args["channel"])
    uid = str(args["user"])
    if uid not in ws.users or uid not in channel.members:
        raise SlackError("user_not_in_channel")
    text, blocks = _content(args)
    blocks = with_ids(blocks, ws.ids.short) if blocks else None
    ts = ws.add_ephemeral(uid, channel.id, text, blocks, args.get("thread_ts"), "ephemeral")
    return {"message_ts": ts}


@method(
    "chat.delete",
    required=("channel", "ts"),
    errors=("channel_not_found", "message_not_found", "cant_delete_message"),
    missing={"channel": "channel_not_found", "ts": "message_not_found"},
)
def delete(ws: Workspace, args: dict) -> dict:
    channel = target_channel(ws, args["channel"])
    msg = _message(ws, channel, args["ts"])
    if msg.get("user") != ws.bot_user_id:
        raise SlackError("cant_delete_message")
    del channel.messages[msg["ts"]]
    if msg["ts"] in channel.pins:
        channel.pins.remove(msg["ts"])
    ws.observe(
        "message_deleted",
        user=channel.im_user,
        channel=channel.id,
        ts=msg["ts"],
        thread_ts=msg.get("thread_ts"),
        author=ws.bot_user_id,
        public=True,
    )
    return {"channel": channel.id, "ts": msg["ts"]}


@method(
    "chat.getPermalink",
    required=("channel", "message_ts"),
    errors=("channel_not_found", "message_not_found"),
    missing={"channel": "channel_not_found", "message_ts": "message_not_found"},
)
def get_permalink(ws: Workspace, args: dict) -> dict:
    channel = target_channel(ws, args["channel"])
    msg = _message(ws, channel, args["message_ts"])
    return {"channel": channel.id, "permalink": shapes.permalink(ws, channel, msg)}
