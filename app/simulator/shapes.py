"""JSON objects as the Web API returns them (only keys real Slack returns)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from app.simulator.state import Channel, User, Workspace

MESSAGE_KEYS = (
    "user",
    "type",
    "ts",
    "bot_id",
    "app_id",
    "text",
    "team",
    "bot_profile",
    "blocks",
    "attachments",
    "thread_ts",
    "parent_user_id",
    "subtype",
    "username",
    "icons",
    "metadata",
    "files",  # a file share (files.completeUploadExternal with a channel)
)


def message(msg: dict) -> dict:
    return {key: msg[key] for key in MESSAGE_KEYS if key in msg}


def channel(ws: Workspace, ch: Channel, *, listing: bool = False, num_members: bool = False):
    if ch.is_im:
        return im(ws, ch, listing=listing)
    out = {
        "id": ch.id,
        "name": ch.name,
        "is_channel": not ch.is_private and not ch.is_mpim,
        "is_group": ch.is_private and not ch.is_mpim,
        "is_im": False,
        "is_mpim": ch.is_mpim,
        "is_private": ch.is_private,
        "created": ch.created,
        "is_archived": ch.archived,
        "is_general": False,
        "unlinked": 0,
        "name_normalized": ch.name,
        "is_shared": False,
        "is_org_shared": False,
        "is_ext_shared": False,
        "is_pending_ext_shared": False,
        "pending_shared": [],
        "pending_connected_team_ids": [],
        "shared_team_ids": [ws.team_id],
        "context_team_id": ws.team_id,
        "updated": ch.created * 1000,
        "creator": ch.creator,
        "is_member": ws.bot_user_id in ch.members,
        "topic": dict(ch.topic),
        "purpose": dict(ch.purpose),
        "previous_names": [],
    }
    properties = {}
    if ch.canvas:
        canvas = {
            "file_id": ch.canvas,
            "is_empty": False,
            "quip_thread_id": "",
            "is_migrated": False,
        }
        properties["canvas"] = canvas
    if ch.tabs:
        properties["tabs"] = [dict(tab) for tab in ch.tabs]
    if properties:
        out["properties"] = properties
    if not listing:
        out["last_read"] = "0000000000.000000"
    if listing or num_members:
        out["num_members"] = len(ch.members)
    return out


def im(ws: Workspace, ch: Channel, *, listing: bool = False) -> dict:
    out = {
        "id": ch.id,
        "created": ch.created,
        "is_archived": False,
        "is_im": True,
        "is_org_shared": False,
        "context_team_id": ws.team_id,
        "updated": ch.created * 1000,
        "user": ch.im_user,
        "is_user_deleted": False,
        "priority": 0,
    }
    if not listing:
        out["is_open"] = True
        out["last_read"] = "0000000000.000000"
    return out


def _tz_fields(tz: str) -> tuple[str, int]:
    try:
        now = dt.datetime.now(ZoneInfo(tz))
    except (KeyError, ValueError):
        now = dt.datetime.now(dt.UTC)
    offset = now.utcoffset() or dt.timedelta(0)
    return now.tzname() or tz, int(offset.total_seconds())


def user(ws: Workspace, person: User) -> dict:
    tz_label, tz_offset = _tz_fields(person.tz)
    first, _, last = person.real_name.partition(" ")
    profile = {
        "real_name": person.real_name,
        "real_name_normalized": person.real_name,
        "display_name": person.name,
        "display_name_normalized": person.name,
        "first_name": first,
        "last_name": last,
        "title": "",
        "phone": "",
        "skype": "",
        "status_text": "",
        "status_emoji": "",
        "status_expiration": 0,
        "avatar_hash": "g" + person.id[-11:].lower(),
        "image_24": f"https://secure.gravatar.com/avatar/{person.id}.jpg?s=24",
        "image_48": f"https://secure.gravatar.com/avatar/{person.id}.jpg?s=48",
        "image_72": f"https://secure.gravatar.com/avatar/{person.id}.jpg?s=72",
        "team": ws.team_id,
    }
    if person.email:
        profile["email"] = person.email
    if person.is_bot:
        profile.update({"bot_id": ws.bot_id, "api_app_id": ws.app_id, "always_active": True})
    return {
        "id": person.id,
        "team_id": ws.team_id,
        "name": person.name,
        "deleted": False,
        "color": "9f69e7",
        "real_name": person.real_name,
        "tz": person.tz,
        "tz_label": tz_label,
        "tz_offset": tz_offset,
        "profile": profile,
        "is_admin": False,
        "is_owner": False,
        "is_primary_owner": False,
        "is_restricted": False,
        "is_ultra_restricted": False,
        "is_bot": person.is_bot,
        "is_app_user": False,
        "updated": person.updated,
        "is_email_confirmed": bool(person.email),
        "who_can_share_contact_card": "EVERYONE",
    }


def permalink(ws: Workspace, ch: Channel, msg: dict) -> str:
    url = f"https://{ws.domain}.slack.com/archives/{ch.id}/p{msg['ts'].replace('.', '')}"
    thread_ts = msg.get("thread_ts")
    if thread_ts and thread_ts != msg["ts"]:
        url += f"?thread_ts={thread_ts}&cid={ch.id}"
    return url
