"""Resolving properly: a root cause for Sev1/Sev2, and mitigation (the outage is over,
the resolution clock keeps running)."""

from datetime import datetime

from app.errors import Invalid
from app.models import OPEN_STATUSES, Ticket, TimelineEvent
from app.playbook import Playbook
from app.tickets.access import require_may_act
from app.tickets.timeline import add_event


def needs_root_cause(ticket: Ticket) -> bool:
    return ticket.severity <= 2


def check_root_cause(playbook: Playbook, ticket: Ticket, root_cause: str | None) -> str | None:
    """The root-cause category a resolution of this ticket gives (one of the playbook's),
    or None for a Sev3/Sev4 resolved without one."""
    if not root_cause:
        if needs_root_cause(ticket):
            raise Invalid(
                f"A Sev{ticket.severity} needs a root-cause category: resolve it with the form.",
                {"root_cause": "Pick the category that fits best."},
            )
        return None
    if root_cause not in playbook.learning.root_causes:
        raise Invalid(
            f"`{root_cause}` is not a root-cause category of the playbook.",
            {"root_cause": "Pick one of the playbook's categories."},
        )
    return root_cause


def mitigate(
    db, playbook: Playbook, ticket: Ticket, *, by: str, now: datetime
) -> TimelineEvent | None:
    """The impact is over; the resolution clock keeps running. None when already mitigated."""
    require_may_act(playbook, ticket, by)
    if ticket.status not in OPEN_STATUSES:
        raise Invalid(f"{ticket.key} is {ticket.status.value.replace('_', ' ')}, not open.")
    if ticket.mitigated_at is not None:
        return None
    ticket.mitigated_at, ticket.updated_at = now, now
    after = {"mitigated_at": now.isoformat()}
    return add_event(db, ticket, kind="mitigated", by=by, now=now, after=after)
