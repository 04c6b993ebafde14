"""conversations.history and conversations.replies: what a channel or a thread holds."""

from __future__ import annotations

from app.simulator import shapes
from app.simulator.methods.conversations import _conversation, _page
from app.simulator.records import SlackError
from app.simulator.registry import flag, method
from app.simulator.state import Workspace

# What history and replies leave out of a message (as in Slack's samples).
HISTORY_HIDES = ("bot_id", "app_id", "team", "bot_profile")


def _ts_bound(args: dict, name: str, error: str) -> float | None:
    value = args.get(name)
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise SlackError(error) from exc


def _messages_page(messages: list[dict], args: dict) -> dict:
    """Messages within oldest/latest, paged; metadata only when asked for."""
    oldest = _ts_bound(args, "oldest", "invalid_ts_oldest")
    latest = _ts_bound(args, "latest", "invalid_ts_latest")
    inclusive = flag(args, "inclusive")  # messages at oldest or latest count too
    found = [
        m
        for m in messages
        if (oldest is None or float(m["ts"]) > oldest or inclusive and float(m["ts"]) == oldest)
        and (latest is None or float(m["ts"]) < latest or inclusive and float(m["ts"]) == latest)
    ]
    page, cursor = _page(found, args)
    hidden = set(HISTORY_HIDES) | (
        {"metadata"} if not flag(args, "include_all_metadata") else set()
    )
    shown = [{k: v for k, v in shapes.message(m).items() if k not in hidden} for m in page]
    return {
        "messages": shown,
        "has_more": bool(cursor),
        "response_metadata": {"next_cursor": cursor},
    }


@method(
    "conversations.history",
    required=("channel",),
    errors=("channel_not_found", "invalid_cursor", "invalid_ts_latest", "invalid_ts_oldest"),
    missing={"channel": "channel_not_found"},
)
def history(ws: Workspace, args: dict) -> dict:
    """Top-level messages of a channel (thread replies stay in the thread), newest first."""
    channel = _conversation(ws, args)
    top = [m for m in channel.messages.values() if m.get("thread_ts", m["ts"]) == m["ts"]]
    return _messages_page(sorted(top, key=lambda m: float(m["ts"]), reverse=True), args)


@method(
    "conversations.replies",
    required=("channel", "ts"),
    errors=(
        "channel_not_found",
        "thread_not_found",
        "invalid_cursor",
        "invalid_ts_latest",
        "invalid_ts_oldest",
    ),
    missing={"channel": "channel_not_found", "ts": "thread_not_found"},
)
def replies(ws: Workspace, args: dict) -> dict:
    """A thread: its parent, then the replies, oldest first."""
    channel = _conversation(ws, args)
    parent = channel.messages.get(str(args["ts"]))
    if parent is None:
        raise SlackError("thread_not_found")
    root = parent.get("thread_ts", parent["ts"])
    thread = [m for m in channel.messages.values() if m.get("thread_ts", m["ts"]) == root]
    return _messages_page(sorted(thread, key=lambda m: float(m["ts"])), args)
