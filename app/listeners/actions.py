"""Buttons and selects on the ticket card, in handoff DMs and on App Home."""

from app import changes, tickets
from app.listeners.answering import answering, tell
from app.listeners.forms import escalation_form, open_ticket_modal, resolve_form, severity_form
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
