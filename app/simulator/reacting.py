"""A person reacts to or pins a message: the simulator changes the message as Slack does and
sends the app `reaction_added` / `pin_added` (shapes as in Slack's published samples),
optionally redelivered with Slack's retry headers (`retries`)."""

from __future__ import annotations

from app.simulator.inbound import Sender
from app.simulator.records import SimResponse
from app.simulator.state import Channel, Workspace


def _visible(ws: Workspace, user_id: str, channel_id: str, ts: str) -> tuple[Channel, dict]:
    ws.user(user_id)
    channel = ws.channel(channel_id)
    if (channel.is_private or channel.is_im or channel.is_mpim) and user_id not in channel.members:
        raise PermissionError(f"{user_id} cannot see {channel_id}")
    if channel.archived:
        raise PermissionError(f"{channel_id} is archived")
    message = channel.messages.get(ts)
    if message is None:
        raise LookupError(f"no message {ts} in {channel_id}")
    return channel, message


def react(
    ws: Workspace, sender: Sender, user_id: str, channel_id: str, ts: str, name: str, retries=0
) -> SimResponse:
    """`user_id` adds the reaction `name` (no colons) to a message."""
    with ws.lock:
        channel, message = _visible(ws, user_id, channel_id, ts)
        reactions = message.setdefault("reactions", [])
        entry = next((r for r in reactions if r["name"] == name), None)
        if entry is None:
            entry = {"name": name, "users": [], "count": 0}
            reactions.append(entry)
        if user_id not in entry["users"]:
            entry["users"].append(user_id)
            entry["count"] += 1
        ws.observe(
            "reaction_added", channel=channel.id, ts=ts, text=name, author=user_id, public=True
        )
        event = {
            "type": "reaction_added",
            "user": user_id,
            "reaction": name,
            "item": {"type": "message", "channel": channel.id, "ts": ts},
            "event_ts": ws.ids.ts(),
        }
        if message.get("user"):
            event["item_user"] = message["user"]
    return sender.event(event, retries=retries)


def pin(
    ws: Workspace, sender: Sender, user_id: str, channel_id: str, ts: str, retries=0
) -> SimResponse:
    """`user_id` pins a message (pinning it again changes nothing, as in Slack)."""
    with ws.lock:
        channel, message = _visible(ws, user_id, channel_id, ts)
        if ts not in channel.pins:
            channel.pins.append(ts)
        message["pinned_to"] = [channel.id]
        ws.observe("pin_added", channel=channel.id, ts=ts, author=user_id, public=True)
        now = int(ws.clock())
        shown = {k: message[k] for k in ("type", "text", "user", "ts", "pinned_to") if k in message}
        event = {
            "type": "pin_added",
            "user": user_id,
            "channel_id": channel.id,
            "item": {
                "type": "message",
                "created": now,
                "created_by": user_id,
                "channel": channel.id,
                "message": shown,
            },
            "pin_count": len(channel.pins),
            "pinned_info": {"channel": channel.id, "pinned_by": user_id, "pinned_ts": now},
            "event_ts": ws.ids.ts(),
        }
        if message.get("user"):
            event["item_user"] = message["user"]
    return sender.event(event, retries=retries)
