"""Slack in: the whole routing table, and the one error handler."""

import structlog
from slack_bolt import App

from app.context import Relay
from app.listeners import actions, commands, events, shortcuts, views

log = structlog.get_logger()


def register_listeners(app: App, relay: Relay) -> None:
    commands.register(app, relay)
    actions.register(app, relay)
    shortcuts.register(app, relay)
    views.register(app, relay)
    events.register(app, relay)

    @app.error
    def handle_error(error):
        # Listeners answer their own errors (answering.py); this only catches the rest.
        log.error("request.unhandled", error=type(error).__name__)
