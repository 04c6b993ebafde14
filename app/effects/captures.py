"""Timeline capture: what a pinned (or :pushpin:-reacted) message says, fetched as Slack
has it (conversations.history, or conversations.replies for a reply in a thread, and
chat.getPermalink), written back as the ticket's `pin.captured` event. Its text is
redacted before it is kept anywhere, the outbox's record of the answer included. The
row is made by `incident_effects.capture_row`."""

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from app.comms.redaction import redact
from app.effects.sending import call
from app.incidents import captures
from app.models import OutboxMessage, Ticket


def capture_prepare(db, row: OutboxMessage, upstream, context) -> dict:
    return {"channel": row.payload["channel"], "ts": row.payload["ts"]}


def _message(client: WebClient, channel: str, ts: str) -> dict:
    look = {"channel": channel, "latest": ts, "oldest": ts, "inclusive": True, "limit": 1}
    found = call(client, "conversations.history", look).get("messages", [])
    if not any(m.get("ts") == ts for m in found):  # a reply in a thread
        found = call(client, "conversations.replies", {"channel": channel, "ts": ts})["messages"]
    return next((m for m in found if m.get("ts") == ts), {})


def capture_send(client: WebClient, args: dict) -> dict:
    message = _message(client, args["channel"], args["ts"])
    link = {"channel": args["channel"], "message_ts": args["ts"]}
    return {
        "text": redact(message.get("text") or "").text,
        "author": message.get("user") or message.get("bot_id"),
        "permalink": call(client, "chat.getPermalink", link).get("permalink"),
    }


def capture_write_back(db: Session, row: OutboxMessage, args: dict, result: dict) -> None:
    ticket = db.get(Ticket, row.subject_id)
    captures.captured(
        db,
        ticket,
        channel=row.payload["channel"],
        ts=row.payload["ts"],
        by=row.payload.get("by"),
        text=result.get("text", ""),
        author=result.get("author"),
        permalink=result.get("permalink"),
        now=row.created_at,
    )
