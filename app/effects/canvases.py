"""`canvas.create`: a review draft as a channel canvas, in the ticket's war room or swarm
(once it exists) or its team's queue channel. The canvas id is written back to the review."""

from slack_sdk import WebClient

from app.effects.sending import call
from app.models import OutboxMessage, Review


def canvas_prepare(db, row: OutboxMessage, upstream, context) -> dict:
    p = row.payload
    channel = upstream["channel"] if p.get("channel_row") else p["channel"]
    return {
        "title": p["title"],
        "document_content": {"type": "markdown", "markdown": p["markdown"]},
        "channel_id": channel,
        "review": p["review"],
    }


def canvas_send(client: WebClient, args: dict) -> dict:
    args = {k: v for k, v in args.items() if k != "review"}
    return {"canvas_id": call(client, "canvases.create", args)["canvas_id"]}


def canvas_write_back(db, row: OutboxMessage, result: dict) -> None:
    review = db.get(Review, row.payload["review"])
    if review is not None:
        review.canvas_id = result["canvas_id"]
