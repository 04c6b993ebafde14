"""Buttons and selects on the ticket card."""

from slack_bolt import App

from app.context import Relay
from app.listeners import operations
from blocks.ids import Action


def register(app: App, relay: Relay) -> None:
    @app.action(Action.ACK)
    def handle_ack(ack, body, action, respond):
        ack()
        reply = operations.acknowledge(relay, action["value"], body["user"]["id"])
        respond(text=reply, response_type="ephemeral", replace_original=False)

    @app.action(Action.ASSIGN)
    def handle_assign(ack, body, action, respond):
        ack()
        key = action["block_id"].removeprefix("card:")
        reply = operations.assign(relay, key, body["user"]["id"], action["selected_user"])
        respond(text=reply, response_type="ephemeral", replace_original=False)
