"""Opening a ticket's forms: who is asking is checked before they fill anything in."""

from app import tickets
from app.comms import cadence, customers, updates
from app.runtime import Relay
from app.sla import escalation
from blocks.comms import update_modal
from blocks.ticket_modals import escalate_modal, resolve_modal, severity_modal


def open_ticket_modal(relay: Relay, key: str, user_id: str, trigger_id: str, client, build):
    """Check who is asking, then open `build(playbook, ticket)` (views.open comes last)."""
    with relay.sessions() as db:
        ticket = tickets.get_ticket(db, key)
        tickets.require_may_act(relay.playbook, ticket, user_id)
        view = build(relay.playbook, ticket)
    client.views_open(trigger_id=trigger_id, view=view)


def escalation_form(note: str = ""):
    def build(playbook, ticket) -> dict:
        escalation.require_can_climb(playbook, ticket)
        return escalate_modal(ticket, playbook, note=note)

    return build


def severity_form(playbook, ticket) -> dict:
    tickets.require_open(ticket)
    return severity_modal(ticket, playbook)


def resolve_form(summary: str = ""):
    def build(playbook, ticket) -> dict:
        return resolve_modal(ticket, playbook, summary=summary)

    return build


def open_update_modal(relay: Relay, key: str, user_id: str, trigger_id: str, client) -> None:
    """The situation update form, for who may post one on a ticket that owes updates."""
    with relay.sessions() as db:
        ticket = tickets.get_ticket(db, key)
        updates.require_may_post(db, relay.playbook, ticket, user_id)
        updates.require_owes(ticket)
        view = update_modal(
            ticket,
            relay.playbook,
            last=updates.latest(db, ticket),
            due=cadence.next_due(relay.playbook, ticket, relay.now()),
            customer_channel=customers.channel_of(relay.playbook, ticket),
        )
    client.views_open(trigger_id=trigger_id, view=view)
