"""Who may see and who may change a ticket, from the playbook."""

from app.errors import Forbidden
from app.models import Ticket
from app.playbook import Playbook


def require_may_act(playbook: Playbook, ticket: Ticket, user_id: str) -> None:
    if not playbook.may_act(user_id, ticket.team):
        team = playbook.teams[ticket.team].name
        raise Forbidden(f"Only members of the {team} team or Relay admins can change {ticket.key}.")


def may_see(playbook: Playbook, ticket: Ticket, user_id: str) -> bool:
    """Confidential escalation types are visible to the team, admins and the reporter only."""
    if not playbook.escalation_types[ticket.escalation_type].confidential:
        return True
    return user_id == ticket.reporter_id or playbook.may_act(user_id, ticket.team)


def require_may_see(playbook: Playbook, ticket: Ticket, user_id: str) -> None:
    if not may_see(playbook, ticket, user_id):
        raise Forbidden(f"{ticket.key} is confidential.")
