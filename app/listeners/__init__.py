"""Slack in: the whole routing table, and the one error handler."""

import structlog
from slack_bolt import App

from app.context import Relay
from app.errors import RelayError
from app.listeners import actions, commands, events, shortcuts, views

log = structlog.get_logger()

SORRY = "Something went wrong on Relay's side and nothing was changed. Please try again."


def register_listeners(app: App, relay: Relay) -> None:
    commands.register(app, relay)
    actions.register(app, relay)
    shortcuts.register(app, relay)
    views.register(app, relay)
    events.register(app, relay)

    @app.error
    def handle_error(error, body, respond, client):
        user = (body.get("user") or {}).get("id") or body.get("user_id")
        if isinstance(error, RelayError):
            text = str(error)
            log.info("request.refused", reason=type(error).__name__, user=user)
        else:
            text = SORRY
            log.exception("request.failed", error=type(error).__name__, user=user)
        if body.get("response_url"):
            respond(text=text, response_type="ephemeral", replace_original=False)
        elif user:
            client.chat_postMessage(channel=user, text=text)
