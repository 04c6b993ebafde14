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


def incident_commander(ticket: Ticket) -> str | None:
    """The ticket's incident commander (a Slack user id). Hook: there are no IC roles yet;
    when war rooms assign one (app/incidents/), return it here and the IC may lower too."""
    return None


def require_may_lower(playbook: Playbook, ticket: Ticket, user_id: str) -> None:
    """Lowering a Sev1 or Sev2 needs the IC, an approver or an admin."""
    ic = incident_commander(ticket)
    if user_id == ic or playbook.is_approver(user_id) or playbook.is_admin(user_id):
        return
    names = ", ".join(playbook.people[h].name for h in playbook.roles.approvers) or "none"
    raise Forbidden(
        f"Lowering a Sev{ticket.severity} needs its incident commander, an approver "
        f"({names}) or a Relay admin.",
        {"new_severity": f"Only the IC, an approver or an admin can lower a Sev{ticket.severity}."},
    )
