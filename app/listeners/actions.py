"""Buttons and selects on the ticket card."""

from slack_bolt import App

from app.context import Relay
from app.listeners import operations
from app.listeners.answering import answering, tell
from blocks.ids import Action


def register(app: App, relay: Relay) -> None:
    @app.action(Action.ACK)
    def handle_ack(ack, body, action, respond, client):
        ack()
        with answering(body, respond, client):
            reply = operations.acknowledge(relay, action["value"], body["user"]["id"])
            tell(body, respond, client, reply)

    @app.action(Action.ASSIGN)
    def handle_assign(ack, body, action, respond, client):
        ack()
        with answering(body, respond, client):
            key = action["block_id"].removeprefix("card:")
            reply = operations.assign(relay, key, body["user"]["id"], action["selected_user"])
            tell(body, respond, client, reply)
