"""Who may see and who may change a ticket, from the playbook."""

from sqlalchemy import select
from sqlalchemy.orm import object_session

from app.errors import Forbidden
from app.models import RoleAssignment, Ticket
from app.playbook import Playbook
from app.sla import people


def require_may_act(playbook: Playbook, ticket: Ticket, user_id: str) -> None:
    if not playbook.may_act(user_id, ticket.team):
        team = playbook.teams[ticket.team].name
        raise Forbidden(f"Only members of the {team} team or Relay admins can change {ticket.key}.")


def role_handles(playbook: Playbook, ticket: Ticket, token: str) -> list[str | None]:
    """The handles a RACI role token stands for on this ticket: tier owners and manager
    from the policy snapshotted when it opened, the customer's exec sponsor, executives."""
    match token:
        case "tier_primary" | "tier_secondary":
            return [ticket.policy["tiers"][ticket.tier][token.removeprefix("tier_")]]
        case "team_manager":
            return [ticket.policy["manager"]]
        case "exec_sponsor":
            customer = playbook.customers.get(ticket.customer or "")
            return [customer.exec_sponsor if customer else None]
        case "executives":
            return list(playbook.roles.executives)
    return [token]  # a person or group handle


def raci_user_ids(playbook: Playbook, ticket: Ticket) -> set[str]:
    """Slack user ids of everyone the ticket's escalation type's RACI names, for this ticket."""
    raci = playbook.escalation_types[ticket.escalation_type].raci
    entries = raci.responsible + raci.accountable + raci.consulted + raci.informed
    handles = [h for entry in entries for h in role_handles(playbook, ticket, entry)]
    return people.user_ids(playbook, ticket, handles)


def is_confidential(playbook: Playbook, ticket: Ticket) -> bool:
    return playbook.escalation_types[ticket.escalation_type].confidential


def may_see(playbook: Playbook, ticket: Ticket, user_id: str) -> bool:
    """A confidential ticket's details are for the people its type's RACI names, admins,
    the reporter, and whoever owns it or is offered it now."""
    if not is_confidential(playbook, ticket):
        return True
    if user_id in (ticket.reporter_id, ticket.owner_id) or playbook.is_admin(user_id):
        return True
    offered = people.user_ids(playbook, ticket, [ticket.handoff_to])
    return user_id in offered or user_id in raci_user_ids(playbook, ticket)


def require_may_see(playbook: Playbook, ticket: Ticket, user_id: str) -> None:
    if not may_see(playbook, ticket, user_id):
        raise Forbidden(f"{ticket.key} is confidential.")


def incident_commander(ticket: Ticket) -> str | None:
    """The ticket's incident commander (a Slack user id), if its war room has one."""
    db = object_session(ticket)
    if db is None or ticket.id is None:
        return None
    stmt = select(RoleAssignment.user_id).where(
        RoleAssignment.ticket_id == ticket.id, RoleAssignment.role == "ic"
    )
    return db.scalar(stmt)


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
