"""Buttons and selects on the ticket card, in handoff DMs and on App Home."""

from slack_bolt import App

from app import tickets
from app.context import Relay
from app.listeners import operations
from app.listeners.answering import answering, tell
from app.listeners.commands import escalation_form, open_ticket_modal
from blocks.ids import Action
from blocks.ticket_modals import resolve_modal, severity_modal, ticket_modal

MODALS = {
    Action.ESCALATE: lambda relay: lambda t: escalation_form(relay.playbook, t),
    Action.SEVERITY: lambda relay: lambda t: severity_modal(t, relay.playbook),
    Action.RESOLVE: lambda relay: resolve_modal,
}


def register(app: App, relay: Relay) -> None:
    @app.action(Action.ACK)
    def handle_ack(ack, body, action, respond, client):
        ack()
        with answering(body, respond, client):
            reply = operations.acknowledge(relay, action["value"], body["user"]["id"])
            tell(body, respond, client, reply)

    @app.action(Action.ACCEPT_HANDOFF)
    def handle_accept_handoff(ack, body, action, respond, client):
        ack()
        with answering(body, respond, client):
            reply = operations.accept(relay, action["value"], body["user"]["id"])
            tell(body, respond, client, reply)

    @app.action(Action.ASSIGN)
    def handle_assign(ack, body, action, respond, client):
        ack()
        with answering(body, respond, client):
            key = action["block_id"].removeprefix("card:")
            reply = operations.assign(relay, key, body["user"]["id"], action["selected_user"])
            tell(body, respond, client, reply)

    @app.action(Action.ESCALATE)
    @app.action(Action.SEVERITY)
    @app.action(Action.RESOLVE)
    def handle_ticket_modal_button(ack, body, action, respond, client):
        ack()
        with answering(body, respond, client):
            build = MODALS[action["action_id"]](relay)
            user = body["user"]["id"]
            open_ticket_modal(relay, action["value"], user, body["trigger_id"], client, build)

    @app.action(Action.OPEN)
    def handle_open(ack, body, action, client):
        ack()
        with answering(body, None, client):
            with relay.sessions() as db:
                ticket = tickets.get_ticket(db, action["value"])
                tickets.require_may_see(relay.playbook, ticket, body["user"]["id"])
                view = ticket_modal(ticket, relay.playbook, now=relay.now())
            client.views_open(trigger_id=body["trigger_id"], view=view)
