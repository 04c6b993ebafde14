"""The message shortcut "Escalate this message" and the global shortcut "New escalation"."""

import re

from app.listeners.answering import answering
from app.runtime import Relay
from app.tickets.classification import suggest_severity
from blocks.new_ticket import new_ticket_modal
from blocks.text import plain, truncate


def handle_escalate_message(ack, body, shortcut, respond, client, context):
    ack()
    with answering(body, respond, client):
        open_prefilled(context["relay"], shortcut, client)


def handle_new_escalation(ack, body, shortcut, client, context):
    ack()
    with answering(body, None, client):
        view = new_ticket_modal(context["relay"].playbook, metadata={})
        client.views_open(trigger_id=shortcut["trigger_id"], view=view)


def open_prefilled(relay: Relay, shortcut: dict, client) -> None:
    """The form prefilled from the message: first sentence as title, text as description."""
    message = shortcut.get("message", {})
    text = message.get("text", "")
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    title = truncate(plain(re.split(r"(?<=[.!?])\s", first_line)[0]), 150)
    channel = shortcut["channel"]["id"]
    metadata = {
        "origin_channel": channel,
        "source_channel": channel,
        "source_ts": message.get("ts") or shortcut.get("message_ts"),
        "source_author_id": message.get("user"),
    }
    suggestion = suggest_severity(relay.playbook, title=title, description=text)
    view = new_ticket_modal(
        relay.playbook,
        metadata=metadata,
        title=title,
        description=truncate(text, 3000),
        suggestion=suggestion,
    )
    client.views_open(trigger_id=shortcut["trigger_id"], view=view)
