"""canvases.create: a canvas, tabbed in a channel when `channel_id` is given."""

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


@method(
    "canvases.create",
    errors=("canvas_creation_failed",),
)
def canvases_create(ws: Workspace, args: dict) -> dict:
    markdown = _content(args)
    channel = None
    if args.get("channel_id"):
        channel = ws.channels.get(str(args["channel_id"]))
        if channel is None or not ws.bot_can_see(channel) or channel.archived:
            raise SlackError("canvas_creation_failed")  # Slack documents no channel error
    canvas_id = ws.ids.new("F")
    ws.canvases[canvas_id] = {
        "id": canvas_id,
        "title": str(args.get("title") or "Untitled"),
        "markdown": markdown,
        "channel": channel.id if channel else None,
    }
    ws.observe(
        "canvas_created",
        channel=channel.id if channel else None,
        text=f"{args.get('title') or 'Untitled'}\n{markdown}",
        author=ws.bot_user_id,
        public=channel is not None,
    )
    return {"canvas_id": canvas_id}
