"""Opening a ticket's forms: who is asking is checked before they fill anything in."""

from app import tickets
from app.runtime import Relay
from app.sla import escalation
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
