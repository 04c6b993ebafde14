"""The message shortcut "Escalate this message" and the global shortcut "New escalation"."""

from slack_bolt import App

from app.classification import suggest_severity
from app.context import Relay
from blocks.ids import Shortcut
from blocks.new_ticket import new_ticket_modal
from blocks.text import plain, truncate


def register(app: App, relay: Relay) -> None:
    @app.shortcut(Shortcut.ESCALATE_MESSAGE)
    def handle_escalate_message(ack, shortcut, client):
        ack()
        message = shortcut.get("message", {})
        text = message.get("text", "")
        title = truncate(plain(text.strip().splitlines()[0] if text.strip() else ""), 150)
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

    @app.shortcut(Shortcut.NEW_ESCALATION)
    def handle_new_escalation(ack, shortcut, client):
        ack()
        view = new_ticket_modal(relay.playbook, metadata={})
        client.views_open(trigger_id=shortcut["trigger_id"], view=view)
