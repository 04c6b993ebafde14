"""Incident roles on a ticket: incident commander (war room), facilitator (swarm), comms
lead and scribe. One holder per role, handed over in place; every change is on the
timeline."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import Forbidden, Invalid
from app.models import Channel, RoleAssignment, Ticket, TimelineEvent
from app.playbook import Playbook
from app.sla import people
from app.tickets.timeline import add_event

ROLES = ("ic", "comms", "scribe", "facilitator")
ROLE_NAMES = {
    "ic": "Incident commander",
    "comms": "Comms lead",
    "scribe": "Scribe",
    "facilitator": "Facilitator",
}


def holders(db: Session, ticket: Ticket) -> dict[str, str]:
    """{role: Slack user id} of the roles held on this ticket."""
    stmt = select(RoleAssignment.role, RoleAssignment.user_id).where(
        RoleAssignment.ticket_id == ticket.id
    )
    return {role: user for role, user in db.execute(stmt)}


def commander(db: Session, ticket: Ticket) -> str | None:
    return holders(db, ticket).get("ic")


def first_eligible(playbook: Playbook, ticket: Ticket) -> str | None:
    """The first IC-eligible person of the ticket's team: its tiers L1..L3 (primary, then
    secondary, groups expanded in member order), then its manager; else the first of
    `roles.ic_eligible`."""
    eligible = playbook.handles_to_user_ids(playbook.roles.ic_eligible)
    tiers = ticket.policy.get("tiers", {})
    handles = [h for lvl in ("L1", "L2", "L3") for h in tiers.get(lvl, {}).values()]
    for handle in [*handles, ticket.policy.get("manager")]:
        group = playbook.groups.get(handle or "")
        for member in group.members if group else [handle]:
            uid = people.person_id(playbook, ticket, member) if member else None
            if uid in eligible:
                return uid
    first = playbook.roles.ic_eligible[:1]
    return playbook.user_id(first[0]) if first else None


def choose_ic(playbook: Playbook, ticket: Ticket, declarer: str | None) -> str | None:
    """The declarer when IC-eligible, otherwise the first eligible person of the team."""
    if declarer and playbook.is_ic_eligible(declarer):
        return declarer
    return first_eligible(playbook, ticket)


def facilitator_for(playbook: Playbook, ticket: Ticket) -> str | None:
    """A swarm's facilitator: the owner, else the current tier's primary (a group: its
    first member)."""
    if ticket.owner_id:
        return ticket.owner_id
    primary = ticket.policy.get("tiers", {}).get(ticket.tier, {}).get("primary")
    group = playbook.groups.get(primary or "")
    handle = group.members[0] if group else primary
    return people.person_id(playbook, ticket, handle) if handle else None


def require_may_hand_over(db: Session, playbook: Playbook, ticket: Ticket, by: str) -> None:
    """Only the IC, an approver or an admin hands roles over."""
    if by == commander(db, ticket) or playbook.is_approver(by) or playbook.is_admin(by):
        return
    raise Forbidden(
        f"Only the incident commander of {ticket.key}, an approver or a Relay admin can hand "
        "roles over."
    )


def assign_role(
    db: Session,
    playbook: Playbook,
    ticket: Ticket,
    *,
    role: str,
    to: str,
    by: str | None,
    now: datetime,
    check: bool = True,
) -> TimelineEvent | None:
    """Give `role` to `to` (a Slack user id); None when they already hold it. `check`:
    whether `by` must be allowed to (False when Relay itself assigns at opening)."""
    if role not in ROLES:
        raise Invalid(f"`{role}` is not a role; roles: {', '.join(ROLES)}.")
    if check:
        require_may_hand_over(db, playbook, ticket, by)
    if playbook.person_by_user_id(to) is None:
        raise Invalid("That person is not in the playbook; roles go to people Relay knows.")
    if role == "ic" and not playbook.is_ic_eligible(to):
        raise Invalid("The incident commander must be IC-eligible (playbook roles.ic_eligible).")
    found = db.scalar(
        select(RoleAssignment).where(
            RoleAssignment.ticket_id == ticket.id, RoleAssignment.role == role
        )
    )
    if found is not None and found.user_id == to:
        return None
    before = {"role": role, "user": found.user_id} if found else None
    if found is None:
        found = RoleAssignment(ticket_id=ticket.id, role=role)
        db.add(found)
    found.user_id, found.assigned_by, found.assigned_at = to, by, now
    room = db.scalar(select(Channel.id).where(Channel.ticket_id == ticket.id))
    after = {"role": role, "user": to, "channel": room, "notify": [to] if to != by else []}
    return add_event(db, ticket, kind="role.assigned", by=by, now=now, before=before, after=after)
