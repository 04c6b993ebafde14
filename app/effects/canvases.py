"""A ticket's review canvas (the `canvas.create` kind): made once, then edited. The first
draft is the channel canvas of the ticket's war room or swarm (once it exists; Slack keeps
one per channel), else a canvas tabbed in the team's queue channel; each later `/esc review`
replaces its content (canvases.edit). The canvas id is written back to the review; the
drafts of one review go out in order (one stream), so a later draft finds the id.

A draft whose answer was lost is not made twice: before making it again, Relay looks in
the channel (conversations.info) for the channel canvas, or for a tab with the draft's
title, and adopts it. A war room whose channel canvas someone else made gets a tab."""

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from app.effects.sending import call
from app.models import OutboxMessage, Review

CHANNEL_CANVAS_TAKEN = "channel_canvas_already_exists"


def canvas_prepare(db, row: OutboxMessage, upstream, context) -> dict:
    p = row.payload
    review = db.get(Review, p["review"])
    content = {"type": "markdown", "markdown": p["markdown"]}
    args = {
        "title": p["title"],
        "document_content": content,
        "channel_id": upstream["channel"] if p.get("channel_row") else p["channel"],
        "room": bool(p.get("channel_row")),
    }
    if review is not None and review.canvas_id:
        args["canvas_id"] = review.canvas_id
    return args


def canvas_send(client: WebClient, args: dict) -> dict:
    if args.get("canvas_id"):
        change = {"operation": "replace", "document_content": args["document_content"]}
        try:
            call(client, "canvases.edit", {"canvas_id": args["canvas_id"], "changes": [change]})
            return {"canvas_id": args["canvas_id"], "edited": True}
        except SlackApiError as exc:
            if exc.response.get("error") != "canvas_not_found":
                raise  # deleted by someone: drafted afresh below
    made = {k: args[k] for k in ("title", "document_content", "channel_id")}
    if args["room"]:
        try:
            return {"canvas_id": call(client, "conversations.canvases.create", made)["canvas_id"]}
        except SlackApiError as exc:
            if exc.response.get("error") != CHANNEL_CANVAS_TAKEN:
                raise
    return {"canvas_id": call(client, "canvases.create", made)["canvas_id"]}


def canvas_find(client: WebClient, args: dict) -> dict | None:
    """The canvas a lost answer made: the room's channel canvas, or the queue channel's tab
    titled as the draft. An edit is sent again (it replaces the content: the same twice)."""
    if args.get("canvas_id"):
        return None
    channel = call(client, "conversations.info", {"channel": args["channel_id"]})["channel"]
    properties = channel.get("properties") or {}
    for tab in properties.get("tabs") or []:
        if tab.get("type") == "canvas" and tab.get("label") == args["title"]:
            return {"canvas_id": tab["data"]["file_id"], "adopted": True}
    if args["room"] and (properties.get("canvas") or {}).get("file_id"):
        return {"canvas_id": properties["canvas"]["file_id"], "adopted": True}
    return None


def canvas_write_back(db, row: OutboxMessage, args: dict, result: dict) -> None:
    review = db.get(Review, row.payload["review"])
    if review is not None:
        review.canvas_id = result["canvas_id"]
