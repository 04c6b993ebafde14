"""pins.*, bookmarks.* and reactions.* methods."""

from __future__ import annotations

from app.simulator.records import SlackError
from app.simulator.registry import method
from app.simulator.state import Channel, Workspace

MAX_BOOKMARKS = 100
MAX_PINS = 100


def _channel(ws: Workspace, ref) -> Channel:
    channel = ws.channels.get(str(ref or ""))
    if channel is None or not ws.bot_can_see(channel):
        raise SlackError("channel_not_found")
    return channel


def _item(ws: Workspace, args: dict) -> tuple[Channel, dict]:
    channel = _channel(ws, args.get("channel"))
    ts = args.get("timestamp")
    if not ts:
        raise SlackError("no_item_specified")
    msg = channel.messages.get(str(ts))
    if msg is None:
        raise SlackError("message_not_found")
    return channel, msg


PIN_ERRORS = ("channel_not_found", "no_item_specified", "message_not_found", "not_in_channel")


@method(
    "pins.add",
    required=("channel",),
    errors=(*PIN_ERRORS, "already_pinned", "too_many_pins"),
    missing={"channel": "channel_not_found"},
)
def pins_add(ws: Workspace, args: dict) -> dict:
    channel, msg = _item(ws, args)
    if ws.bot_user_id not in channel.members:
        raise SlackError("not_in_channel")
    if msg["ts"] in channel.pins:
        raise SlackError("already_pinned")
    if len(channel.pins) >= MAX_PINS:
        raise SlackError("too_many_pins")
    channel.pins.append(msg["ts"])
    msg["pinned_to"] = [channel.id]
    ws.observe(
        "pin_added",
        channel=channel.id,
        ts=msg["ts"],
        thread_ts=msg.get("thread_ts"),
        text=msg.get("text"),
        author=ws.bot_user_id,
        public=True,
    )
    return {}


@method(
    "pins.remove",
    required=("channel",),
    errors=(*PIN_ERRORS[:3], "not_pinned"),
    missing={"channel": "channel_not_found"},
)
def pins_remove(ws: Workspace, args: dict) -> dict:
    channel, msg = _item(ws, args)
    if msg["ts"] not in channel.pins:
        raise SlackError("not_pinned")
    channel.pins.remove(msg["ts"])
    msg.pop("pinned_to", None)
    return {}


@method(
    "bookmarks.add",
    required=("channel_id", "title", "type"),
    errors=("channel_not_found", "invalid_bookmark_type", "invalid_link", "too_many_bookmarks"),
    missing={"channel_id": "channel_not_found"},
)
def bookmarks_add(ws: Workspace, args: dict) -> dict:
    channel = _channel(ws, args.get("channel_id"))
    if args.get("type") != "link":
        raise SlackError("invalid_bookmark_type")
    link = str(args.get("link") or "")
    if not link.startswith(("https://", "http://")):
        raise SlackError("invalid_link")
    if len(channel.bookmarks) >= MAX_BOOKMARKS:
        raise SlackError("too_many_bookmarks")
    now = int(ws.clock())
    bookmark = {
        "id": ws.ids.new("Bk", 12),
        "channel_id": channel.id,
        "title": str(args.get("title") or ""),
        "link": link,
        "emoji": args.get("emoji") or "",
        "icon_url": "",
        "type": "link",
        "entity_id": None,
        "date_created": now,
        "date_updated": 0,
        "rank": chr(ord("a") + len(channel.bookmarks) % 26),
        "last_updated_by_user_id": ws.bot_user_id,
        "last_updated_by_team_id": ws.team_id,
        "shortcut_id": None,
        "app_id": None,
    }
    channel.bookmarks.append(bookmark)
    ws.observe(
        "bookmark_added",
        channel=channel.id,
        text=f"{bookmark['title']} {link}",
        author=ws.bot_user_id,
        public=True,
    )
    return {"bookmark": dict(bookmark)}


@method(
    "bookmarks.list",
    required=("channel_id",),
    errors=("channel_not_found",),
    missing={"channel_id": "channel_not_found"},
)
def bookmarks_list(ws: Workspace, args: dict) -> dict:
    channel = _channel(ws, args.get("channel_id"))
    return {"bookmarks": [dict(b) for b in channel.bookmarks]}


@method(
    "bookmarks.remove",
    required=("channel_id", "bookmark_id"),
    errors=("channel_not_found", "not_found"),
    missing={"channel_id": "channel_not_found", "bookmark_id": "not_found"},
)
def bookmarks_remove(ws: Workspace, args: dict) -> dict:
    channel = _channel(ws, args.get("channel_id"))
    for bookmark in channel.bookmarks:
        if bookmark["id"] == args.get("bookmark_id"):
            channel.bookmarks.remove(bookmark)
            return {}
    raise SlackError("not_found")


REACTION_ERRORS = ("channel_not_found", "no_item_specified", "message_not_found", "invalid_name")


def _reaction_target(ws: Workspace, args: dict) -> tuple[Channel, dict, str]:
    name = str(args.get("name") or "").strip(":")
    if not name or " " in name:
        raise SlackError("invalid_name")
    channel, msg = _item(ws, args)
    return channel, msg, name


@method(
    "reactions.add",
    required=("channel", "name", "timestamp"),
    errors=(*REACTION_ERRORS, "already_reacted", "is_archived"),
    missing={
        "channel": "channel_not_found",
        "name": "invalid_name",
        "timestamp": "no_item_specified",
    },
)
def reactions_add(ws: Workspace, args: dict) -> dict:
    channel, msg, name = _reaction_target(ws, args)
    if channel.archived:
        raise SlackError("is_archived")
    reactions = msg.setdefault("reactions", [])
    entry = next((r for r in reactions if r["name"] == name), None)
    if entry is None:
        entry = {"name": name, "users": [], "count": 0}
        reactions.append(entry)
    if ws.bot_user_id in entry["users"]:
        raise SlackError("already_reacted")
    entry["users"].append(ws.bot_user_id)
    entry["count"] += 1
    ws.observe(
        "reaction_added",
        channel=channel.id,
        ts=msg["ts"],
        thread_ts=msg.get("thread_ts"),
        text=name,
        author=ws.bot_user_id,
        public=True,
    )
    return {}


@method(
    "reactions.remove",
    required=("name",),
    errors=(*REACTION_ERRORS, "no_reaction"),
    missing={"name": "invalid_name"},
)
def reactions_remove(ws: Workspace, args: dict) -> dict:
    _channel_, msg, name = _reaction_target(ws, args)
    entry = next((r for r in msg.get("reactions", []) if r["name"] == name), None)
    if entry is None or ws.bot_user_id not in entry["users"]:
        raise SlackError("no_reaction")
    entry["users"].remove(ws.bot_user_id)
    entry["count"] -= 1
    if not entry["count"]:
        msg["reactions"].remove(entry)
    return {}
