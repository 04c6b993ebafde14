"""canvases.create (a canvas, tabbed in a channel when `channel_id` is given: the channel's
`properties.tabs` lists it by title), conversations.canvases.create (the channel canvas: one
per channel, `properties.canvas`) and canvases.edit (the changes Slack documents, one at a
time; `replace` without a section replaces the whole document)."""

from __future__ import annotations

import json

from app.simulator.records import SlackError
from app.simulator.registry import method
from app.simulator.state import Workspace

MARKDOWN_MAX = 1_048_576  # Slack: "limited to 1 MiB (1,048,576 characters)"


def _content(args: dict) -> str:
    content = args.get("document_content")
    if isinstance(content, str):  # form-encoded calls send it as JSON text
        try:
            content = json.loads(content)
        except ValueError:
            raise SlackError("invalid_arguments") from None
    if content is None:
        return ""
    if not isinstance(content, dict) or content.get("type") != "markdown":
        raise SlackError("invalid_arguments")
    markdown = content.get("markdown")
    if not isinstance(markdown, str) or len(markdown) > MARKDOWN_MAX:
        raise SlackError("canvas_creation_failed")
    return markdown


def _channel(ws: Workspace, args: dict, error: str):
    channel = ws.channels.get(str(args.get("channel_id") or ""))
    if channel is None or not ws.bot_can_see(channel) or channel.archived:
        raise SlackError(error)  # Slack documents no channel error
    return channel


def _new_canvas(ws: Workspace, args: dict, channel) -> str:
    markdown = _content(args)
    canvas_id = ws.ids.new("F")
    title = str(args.get("title") or "Untitled")
    ws.canvases[canvas_id] = {
        "id": canvas_id,
        "title": title,
        "markdown": markdown,
        "channel": channel.id if channel else None,
    }
    ws.observe(
        "canvas_created",
        channel=channel.id if channel else None,
        text=f"{title}\n{markdown}",
        author=ws.bot_user_id,
        public=channel is not None,
    )
    return canvas_id


@method(
    "canvases.create",
    errors=("canvas_creation_failed",),
)
def canvases_create(ws: Workspace, args: dict) -> dict:
    channel = _channel(ws, args, "canvas_creation_failed") if args.get("channel_id") else None
    _content(args)
    canvas_id = _new_canvas(ws, args, channel)
    if channel is not None:
        tab = {"id": ws.ids.new("Ct"), "label": ws.canvases[canvas_id]["title"], "type": "canvas"}
        channel.tabs.append({**tab, "data": {"file_id": canvas_id}, "is_disabled": False})
    return {"canvas_id": canvas_id}


@method(
    "conversations.canvases.create",
    required=("channel_id",),
    errors=("channel_canvas_already_exists", "channel_canvas_creation_failed"),
    missing={"channel_id": "channel_canvas_creation_failed"},
)
def channel_canvas_create(ws: Workspace, args: dict) -> dict:
    channel = _channel(ws, args, "channel_canvas_creation_failed")
    if channel.canvas is not None:
        raise SlackError("channel_canvas_already_exists")
    _content(args)
    channel.canvas = _new_canvas(ws, args, channel)
    return {"canvas_id": channel.canvas}


EDITS = ("replace", "insert_at_start", "insert_at_end")


@method(
    "canvases.edit",
    required=("canvas_id", "changes"),
    errors=("canvas_not_found", "canvas_editing_failed"),
)
def canvases_edit(ws: Workspace, args: dict) -> dict:
    canvas = ws.canvases.get(str(args.get("canvas_id") or ""))
    if canvas is None:
        raise SlackError("canvas_not_found")
    changes = args.get("changes")
    if isinstance(changes, str):
        try:
            changes = json.loads(changes)
        except ValueError:
            raise SlackError("invalid_arguments") from None
    if not isinstance(changes, list) or len(changes) != 1 or not isinstance(changes[0], dict):
        raise SlackError("invalid_arguments")  # Slack: one change per call
    change = changes[0]
    if change.get("operation") not in EDITS or change.get("section_id"):
        raise SlackError("canvas_editing_failed")  # sections are not simulated
    markdown = _content(change)
    if change["operation"] == "insert_at_start":
        markdown += canvas["markdown"]
    elif change["operation"] == "insert_at_end":
        markdown = canvas["markdown"] + markdown
    canvas["markdown"] = markdown
    ws.observe(
        "canvas_edited",
        channel=canvas["channel"],
        text=f"{canvas['title']}\n{markdown}",
        author=ws.bot_user_id,
        public=canvas["channel"] is not None,
    )
    return {}
