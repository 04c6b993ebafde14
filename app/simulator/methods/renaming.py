"""conversations.rename, conversations.setPurpose and conversations.unarchive (arguments and
errors as in slack-api-ref's docs.slack.dev/methods/<method>.json)."""

from __future__ import annotations

from app.simulator import shapes
from app.simulator.methods.conversations import TOPIC_MAX, _conversation, check_name
from app.simulator.records import SlackError
from app.simulator.registry import method
from app.simulator.state import Channel, Workspace

PURPOSE_MAX = TOPIC_MAX


def _managed(ws: Workspace, args: dict) -> Channel:
    """A channel the bot may change: not a DM, not archived, the bot a member."""
    channel = _conversation(ws, args)
    if channel.is_im or channel.is_mpim:
        raise SlackError("method_not_supported_for_channel_type")
    if channel.archived:
        raise SlackError("is_archived")
    if ws.bot_user_id not in channel.members:
        raise SlackError("not_in_channel")
    return channel


@method(
    "conversations.rename",
    required=("channel", "name"),
    errors=(
        "channel_not_found",
        "is_archived",
        "method_not_supported_for_channel_type",
        "not_in_channel",
        "name_taken",
        "invalid_name_required",
        "invalid_name_maxlength",
        "invalid_name_specials",
        "invalid_name_punctuation",
    ),
    missing={"channel": "channel_not_found", "name": "invalid_name_required"},
)
def rename(ws: Workspace, args: dict) -> dict:
    channel = _managed(ws, args)
    name = str(args.get("name") or "")
    if name != channel.name:
        check_name(ws, name)
    old, channel.name = channel.name, name
    ws.observe(
        "channel_renamed",
        channel=channel.id,
        text=f"{old} → {name}",
        author=ws.bot_user_id,
        public=True,
    )
    return {"channel": shapes.channel(ws, channel)}


@method(
    "conversations.setPurpose",
    required=("channel", "purpose"),
    errors=(
        "channel_not_found",
        "is_archived",
        "method_not_supported_for_channel_type",
        "not_in_channel",
        "too_long",
    ),
    missing={"channel": "channel_not_found"},
)
def set_purpose(ws: Workspace, args: dict) -> dict:
    channel = _managed(ws, args)
    purpose = str(args.get("purpose") or "")
    if len(purpose) > PURPOSE_MAX:
        raise SlackError("too_long")
    channel.purpose = {"value": purpose, "creator": ws.bot_user_id, "last_set": int(ws.clock())}
    ws.observe("purpose_set", channel=channel.id, text=purpose, author=ws.bot_user_id, public=True)
    return {"channel": shapes.channel(ws, channel)}


@method(
    "conversations.unarchive",
    required=("channel",),
    errors=("channel_not_found", "method_not_supported_for_channel_type", "not_archived"),
    missing={"channel": "channel_not_found"},
)
def unarchive(ws: Workspace, args: dict) -> dict:
    channel = _conversation(ws, args)
    if channel.is_im or channel.is_mpim:
        raise SlackError("method_not_supported_for_channel_type")
    if not channel.archived:
        raise SlackError("not_archived")
    channel.archived = False
    ws.observe("channel_unarchived", channel=channel.id, author=ws.bot_user_id, public=True)
    return {}
