"""Buttons and selects on the ticket card, in handoff DMs and on App Home."""

from app import changes, incident_changes, tickets
from app.errors import Invalid
from app.listeners.answering import answering, tell
from app.listeners.forms import (
    escalation_form,
    open_ticket_modal,
    open_update_modal,
    resolve_form,
    severity_form,
)
from blocks import answers
from blocks.ids import Action
from blocks.ticket_modals import ticket_modal

FORMS = {
    Action.ESCALATE: escalation_form(),
    Action.SEVERITY: severity_form,
    Action.RESOLVE: resolve_form(),
}


def handle_ack(ack, body, action, respond, client, context):
    ack()
    with answering(body, respond, client):
        c = changes.acknowledge(context["relay"], action["value"], by=body["user"]["id"])
        tell(body, respond, client, answers.acknowledged(c.ticket, c.events))


def handle_accept_handoff(ack, body, action, respond, client, context):
    ack()
    with answering(body, respond, client):
        c = changes.accept_handoff(context["relay"], action["value"], by=body["user"]["id"])
        tell(body, respond, client, answers.accepted(c.ticket))


def handle_assign(ack, body, action, respond, client, context):
    ack()
    with answering(body, respond, client):
        key, to = action["block_id"].removeprefix("card:"), action["selected_user"]
        c = changes.assign(context["relay"], key, by=body["user"]["id"], to=to)
        tell(body, respond, client, answers.assigned(c.ticket, c.events, to))


def handle_ticket_form_button(ack, body, action, respond, client, context):
    """Escalate, Change severity and Resolve open a form on the ticket."""
    ack()
    with answering(body, respond, client):
        build = FORMS[action["action_id"]]
        user, trigger = body["user"]["id"], body["trigger_id"]
        open_ticket_modal(context["relay"], action["value"], user, trigger, client, build)


def handle_open(ack, body, action, client, context):
    ack()
    relay = context["relay"]
    with answering(body, None, client):
        with relay.sessions() as db:
            ticket = tickets.get_ticket(db, action["value"])
            tickets.require_may_see(relay.playbook, ticket, body["user"]["id"])
            view = ticket_modal(ticket, relay.playbook, now=relay.now())
        client.views_open(trigger_id=body["trigger_id"], view=view)


def handle_update(ack, body, action, respond, client, context):
    """Post update (card, war room summary, reminder DM) opens the update form."""
    ack()
    with answering(body, respond, client):
        user, trigger = body["user"]["id"], body["trigger_id"]
        open_update_modal(context["relay"], action["value"], user, trigger, client)


def handle_send_customer(ack, body, action, respond, client, context):
    """Send on a customer update's preview: it goes to the customer's channel, once."""
    ack()
    with answering(body, respond, client):
        key, _, update_id = action["value"].partition(":")
        if not update_id.isdigit():
            raise Invalid("This button is out of date; nothing was sent.")
        c = incident_changes.send_customer_update(
            context["relay"], key, by=body["user"]["id"], update_id=int(update_id)
        )
        tell(body, respond, client, answers.customer_sent(c.ticket))
