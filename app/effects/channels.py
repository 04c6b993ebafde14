"""Channels Relay makes (war rooms, swarms): create with a free name, then act in it."""

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from app.effects.sending import call, method, send_method
from app.models import Channel, OutboxMessage

NAME_MAX = 80  # Slack's channel-name limit
NAME_TRIES = 20


def channel_name(base: str, attempt: int) -> str:
    """`base`, then `base-2`, `base-3`, ... within Slack's 80 characters."""
    if attempt == 1:
        return base[:NAME_MAX]
    suffix = f"-{attempt}"
    return base[: NAME_MAX - len(suffix)].rstrip("-_") + suffix


def create_send(client: WebClient, args: dict) -> dict:
    """Create the channel; a taken name gets a suffix."""
    attempt = 1
    while True:
        name = channel_name(args["name"], attempt)
        try:
            answer = call(
                client, "conversations.create", {"name": name, "is_private": args["is_private"]}
            )
            return {"channel": answer["channel"]["id"], "name": name}
        except SlackApiError as exc:
            if exc.response.get("error") != "name_taken" or attempt == NAME_TRIES:
                raise
        attempt += 1


def create_write_back(db: Session, row: OutboxMessage, result: dict) -> None:
    channel = db.get(Channel, row.payload["channel_row"])
    channel.slack_id, channel.name = result["channel"], result["name"]


def in_channel(db, row: OutboxMessage, upstream, context) -> dict:
    """Arguments aimed at the channel the upstream effect created."""
    return {**row.payload, "channel": upstream["channel"]}


invite_send = method("conversations.invite", ok_errors=("already_in_channel", "cant_invite_self"))


def call_send(client: WebClient, args: dict) -> dict:
    """`{"method": "conversations.setTopic", "args": {...}}` in the channel."""
    args = dict(args)
    return send_method(client, {**args.pop("args", {}), **args})
