"""How a ticket's status, owner and the people it is offered to read in Slack."""

from datetime import UTC, datetime

from app.models import OPEN_STATUSES, Ticket
from app.playbook import Playbook
from app.sla import people
from app.tickets.access import is_confidential
from blocks.text import escape, mention, slack_date, truncate

STATUS_LABEL = {
    "open": "Open",
    "acknowledged": "Acknowledged",
    "in_progress": "In progress",
    "waiting_on_customer": "Waiting on customer",
    "mitigated": "Mitigated",
    "resolved": "Resolved",
    "closed": "Closed",
}
CONFIDENTIAL_NOTE = (
    "Confidential: details go only to the people its RACI names, admins and the reporter."
)
UNOWNED = ("open", "acknowledged", "in_progress")  # statuses that read differently unowned


def who(playbook: Playbook, ticket: Ticket, handle: str | None) -> str:
    """A person handle as a mention, a group handle (or someone unknown) as its name; from
    the ticket's snapshot when the playbook no longer has them."""
    if not handle:
        return "nobody"
    user_id = people.person_id(playbook, ticket, handle)
    return mention(user_id) if user_id else escape(people.display_name(playbook, ticket, handle))


def status_label(ticket: Ticket) -> str:
    """An unowned ticket never reads "In progress": it is open, or waiting for someone to
    accept it at the tier it climbed to. A mitigated ticket still open says so."""
    mitigated = " · Mitigated" if ticket.mitigated_at and ticket.status in OPEN_STATUSES else ""
    if ticket.owner_id or ticket.status.value not in UNOWNED:
        return STATUS_LABEL[ticket.status.value] + mitigated
    if ticket.handoff_to:
        return f"Awaiting acceptance at {ticket.tier}{mitigated}"
    return "Open, unowned" + mitigated


def owner_label(ticket: Ticket, playbook: Playbook) -> str:
    if ticket.owner_id:
        return mention(ticket.owner_id)
    if ticket.handoff_to:
        return f"unassigned — offered to {who(playbook, ticket, ticket.handoff_to)}"
    return "unassigned"


def hidden_title(ticket: Ticket, playbook: Playbook) -> str | None:
    """What stands for a confidential ticket's title where someone who may not see it could
    read it (notifications, DMs, forms); None for other tickets."""
    if not is_confidential(playbook, ticket):
        return None
    return f"confidential {playbook.escalation_types[ticket.escalation_type].name} ticket"


def title_label(ticket: Ticket, playbook: Playbook, limit: int) -> str:
    """The title as mrkdwn, or what stands for it on a confidential ticket."""
    return escape(hidden_title(ticket, playbook) or truncate(ticket.title, limit))


def due_time(ticket: Ticket, playbook: Playbook, when: datetime | str | None) -> str:
    """A due time for mrkdwn (a datetime, or ISO text as the timeline stores it): a Slack
    date token, falling back to the owning team's zone."""
    if isinstance(when, str):
        when = datetime.fromisoformat(when)
    team = playbook.teams.get(ticket.team)
    return slack_date(when, team.calendar.zone if team else UTC)


def team_name(ticket: Ticket, playbook: Playbook) -> str:
    """The owning team's name as mrkdwn; its key if the playbook no longer has it."""
    team = playbook.teams.get(ticket.team)
    return escape(team.name if team else ticket.team)


def customer_label(ticket: Ticket, playbook: Playbook) -> str:
    """`Acme Bank (Strategic)`; the stored key and tier if the playbook no longer has them."""
    if not ticket.customer:
        return "none"
    customer = playbook.customers.get(ticket.customer)
    name = customer.name if customer else ticket.customer
    tier_key = customer.tier if customer else ticket.customer_tier
    tier = playbook.customer_tiers.get(tier_key or "")
    tier_name = tier.name if tier else tier_key
    return escape(f"{name} ({tier_name})" if tier_name else name)
