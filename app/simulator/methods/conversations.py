"""conversations.* methods."""

from __future__ import annotations

import base64

from app.simulator import shapes
from app.simulator.records import SlackError
from app.simulator.registry import flag, id_list, integer, method
from app.simulator.state import Channel, Workspace

NAME_MAX = 80
TOPIC_MAX = 250


def _allowed_char(ch: str) -> bool:
    if ch.isascii():
        return ch.islower() or ch.isdigit() or ch in "-_"
    return ch.isalnum() and ch == ch.lower()  # lowercase non-Latin letters are accepted


def check_name(ws: Workspace, name: str) -> None:
    """Channel naming rules (README §6, docs for conversations.create)."""
    if not name:
        raise SlackError("invalid_name_required")
    if len(name) > NAME_MAX:
        raise SlackError("invalid_name_maxlength")
    if not all(_allowed_char(ch) for ch in name):
        raise SlackError("invalid_name_specials")
    if all(ch in "-_" for ch in name):
        raise SlackError("invalid_name_punctuation")
    if any(c.name == name for c in ws.channels.values() if not c.is_im):  # archived ones too
        raise SlackError("name_taken")


def _conversation(ws: Workspace, args: dict) -> Channel:
    channel = ws.channels.get(str(args.get("channel") or ""))
    if channel is None or not ws.bot_can_see(channel):
        raise SlackError("channel_not_found")
    return channel


def _page(items: list, args: dict) -> tuple[list, str]:
    limit = integer(args, "limit", 100, "invalid_limit")
    if limit < 1 or limit > 1000:
        raise SlackError("invalid_limit")
    start = 0
    if args.get("cursor"):
        try:
            kind, _, offset = base64.b64decode(str(args["cursor"])).decode().partition(":")
            start = int(offset)
        except ValueError as exc:
            raise SlackError("invalid_cursor") from exc
        if kind != "offset" or not 0 <= start <= len(items):
            raise SlackError("invalid_cursor")
    end = start + limit
    cursor = base64.b64encode(f"offset:{end}".encode()).decode() if end < len(items) else ""
    return items[start:end], cursor


@method(
    "conversations.create",
    required=("name",),
    errors=(
        "name_taken",
        "invalid_name_required",
        "invalid_name_maxlength",
        "invalid_name_specials",
        "invalid_name_punctuation",
    ),
    missing={"name": "invalid_name_required"},
)
def create(ws: Workspace, args: dict) -> dict:
    name = str(args.get("name") or "")
    check_name(ws, name)
    cid = ws.add_channel(name, is_private=flag(args, "is_private"))
    channel = ws.channels[cid]
    ws.observe("channel_created", channel=cid, text=name, author=ws.bot_user_id, public=True)
    return {"channel": shapes.channel(ws, channel)}


@method(
    "conversations.invite",
    required=("channel", "users"),
    errors=(
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "already_in_channel",
        "cant_invite_self",
        "user_not_found",
        "no_user",
        "method_not_supported_for_channel_type",
    ),
    missing={"channel": "channel_not_found", "users": "no_user"},
)
def invite(ws: Workspace, args: dict) -> dict:
    channel = _conversation(ws, args)
    if channel.is_im:
        raise SlackError("method_not_supported_for_channel_type")
    if channel.archived:
        raise SlackError("is_archived")
    if ws.bot_user_id not in channel.members:
        raise SlackError("not_in_channel")
    users = id_list(args.get("users"))
    if not users:
        raise SlackError("no_user")
    problems = []
    for uid in users:
        if uid == ws.bot_user_id:
            problems.append((uid, "cant_invite_self"))
        elif uid not in ws.users:
            problems.append((uid, "user_not_found"))
        elif uid in channel.members:
            problems.append((uid, "already_in_channel"))
    if problems:
        errors = [{"ok": False, "error": code, "user": uid} for uid, code in problems]
        raise SlackError(problems[0][1], errors=errors)
    for uid in users:
        channel.members.add(uid)
        ws.observe("invited", user=uid, channel=channel.id, author=ws.bot_user_id, public=True)
    return {"channel": shapes.channel(ws, channel)}


@method(
    "conversations.open", errors=("users_list_not_supplied", "user_not_found", "channel_not_found")
)
def open_conversation(ws: Workspace, args: dict) -> dict:
    if args.get("channel"):
        channel = _conversation(ws, args)
        return {"no_op": True, "already_open": True, "channel": {"id": channel.id}}
    users = [u for u in id_list(args.get("users")) if u != ws.bot_user_id]
    if not users:
        raise SlackError("users_list_not_supplied")
    if any(uid not in ws.users for uid in users):
        raise SlackError("user_not_found")
    if len(users) == 1:
        existed = any(c.is_im and c.im_user == users[0] for c in ws.channels.values())
        channel = ws.open_im(users[0])
    else:
        wanted = {*users, ws.bot_user_id}
        found = [c for c in ws.channels.values() if c.is_mpim and c.members == wanted]
        existed = bool(found)
        if not found:
            name = "mpdm-" + "--".join(ws.users[u].name for u in sorted(wanted)) + "-1"
            cid = ws.add_channel(name, is_private=True, members=users)
            ws.channels[cid].is_mpim = True
            found = [ws.channels[cid]]
        channel = found[0]
    out: dict = {"channel": {"id": channel.id}}
    if existed:
        out = {"no_op": True, "already_open": True, **out}
    if flag(args, "return_im"):
        out["channel"] = shapes.channel(ws, channel)
    return out


@method(
    "conversations.info",
    required=("channel",),
    errors=("channel_not_found",),
    missing={"channel": "channel_not_found"},
)
def info(ws: Workspace, args: dict) -> dict:
    channel = _conversation(ws, args)
    return {"channel": shapes.channel(ws, channel, num_members=flag(args, "include_num_members"))}


@method(
    "conversations.members",
    required=("channel",),
    errors=("channel_not_found", "invalid_cursor", "invalid_limit"),
    missing={"channel": "channel_not_found"},
)
def members(ws: Workspace, args: dict) -> dict:
    channel = _conversation(ws, args)
    page, cursor = _page(sorted(channel.members), args)
    return {"members": page, "response_metadata": {"next_cursor": cursor}}


@method(
    "conversations.join",
    required=("channel",),
    errors=("channel_not_found", "is_archived", "method_not_supported_for_channel_type"),
    missing={"channel": "channel_not_found"},
)
def join(ws: Workspace, args: dict) -> dict:
    channel = _conversation(ws, args)
    if channel.is_im or channel.is_mpim or channel.is_private:
        raise SlackError("method_not_supported_for_channel_type")
    if channel.archived:
        raise SlackError("is_archived")
    out: dict = {}
    if ws.bot_user_id in channel.members:
        out = {
            "warning": "already_in_channel",
            "response_metadata": {"warnings": ["already_in_channel"]},
        }
    channel.members.add(ws.bot_user_id)
    return {"channel": shapes.channel(ws, channel), **out}


@method(
    "conversations.setTopic",
    required=("channel", "topic"),
    errors=("channel_not_found", "not_in_channel", "is_archived", "too_long"),
    missing={"channel": "channel_not_found"},
)
def set_topic(ws: Workspace, args: dict) -> dict:
    channel = _conversation(ws, args)
    topic = str(args.get("topic") or "")
    if channel.archived:
        raise SlackError("is_archived")
    if ws.bot_user_id not in channel.members:
        raise SlackError("not_in_channel")
    if len(topic) > TOPIC_MAX:
        raise SlackError("too_long")
    channel.topic = {"value": topic, "creator": ws.bot_user_id, "last_set": int(ws.clock())}
    ws.observe("topic_set", channel=channel.id, text=topic, author=ws.bot_user_id, public=True)
    return {"channel": shapes.channel(ws, channel)}


@method(
    "conversations.archive",
    required=("channel",),
    errors=(
        "channel_not_found",
        "already_archived",
        "not_in_channel",
        "method_not_supported_for_channel_type",
    ),
    missing={"channel": "channel_not_found"},
)
def archive(ws: Workspace, args: dict) -> dict:
    channel = _conversation(ws, args)
    if channel.is_im:
        raise SlackError("method_not_supported_for_channel_type")
    if channel.archived:
        raise SlackError("already_archived")
    if ws.bot_user_id not in channel.members:
        raise SlackError("not_in_channel")
    channel.archived = True
    ws.observe("channel_archived", channel=channel.id, author=ws.bot_user_id, public=True)
    return {}


CHANNEL_TYPES = {"public_channel", "private_channel", "mpim", "im"}


def _type_of(channel: Channel) -> str:
    if channel.is_im:
        return "im"
    if channel.is_mpim:
        return "mpim"
    return "private_channel" if channel.is_private else "public_channel"


@method("conversations.list", errors=("invalid_cursor", "invalid_limit", "invalid_types"))
def list_conversations(ws: Workspace, args: dict) -> dict:
    types = set(id_list(args.get("types") or "public_channel"))
    if not types <= CHANNEL_TYPES:
        raise SlackError("invalid_types")
    found = [
        c
        for c in ws.channels.values()
        if _type_of(c) in types
        and ws.bot_can_see(c)
        and not (c.archived and flag(args, "exclude_archived"))
    ]
    page, cursor = _page(found, args)
    return {
        "channels": [shapes.channel(ws, c, listing=True) for c in page],
        "response_metadata": {"next_cursor": cursor},
    }
