"""What the open tickets in the database name that a playbook (say, an edited one about to
go live) no longer has: people and groups their policy snapshot names, their customer,
their team. `relay playbook check` prints these as warnings."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import OPEN_STATUSES, Ticket
from app.playbook.book import Playbook
from app.sla.people import policy_handles, snapshotted

# (bucket, what they are, what happens to the tickets)
CONSEQUENCES = (
    ("people", "people", "they keep working from their snapshot"),
    ("groups", "groups", "they keep working from their snapshot"),
    (
        "unsnapshotted",
        "people or groups (opened before snapshots)",
        "nobody is notified in their place",
    ),
    ("customers", "customers", "their cards show the customer key and tier stored on them"),
    ("teams", "teams", "Relay cannot time, route or change them until the team is back"),
)


def _removed(ticket: Ticket, playbook: Playbook) -> list[tuple[str, str]]:
    """(bucket, name) for each thing this ticket names that `playbook` lacks."""
    found = []
    for handle in [*policy_handles(ticket.policy or {}), ticket.handoff_to]:
        if not handle or handle in playbook.people or handle in playbook.groups:
            continue
        stored = snapshotted(ticket, handle)
        if stored is None:
            found.append(("unsnapshotted", handle))
        else:
            found.append(("groups" if stored["group"] else "people", handle))
    if ticket.customer and ticket.customer not in playbook.customers:
        found.append(("customers", ticket.customer))
    if ticket.team not in playbook.teams:
        found.append(("teams", ticket.team))
    return found


def removed_references(db: Session, playbook: Playbook) -> list[str]:
    """One warning per kind of thing open tickets name and `playbook` removes, e.g.
    `3 open tickets name people the new playbook removes: priya.shah (ESC-4, ESC-9,
    ESC-12); they keep working from their snapshot`."""
    named: dict[str, dict[str, list[str]]] = {}
    stmt = select(Ticket).where(Ticket.status.in_(OPEN_STATUSES)).order_by(Ticket.id)
    for ticket in db.scalars(stmt):
        for bucket, name in _removed(ticket, playbook):
            keys = named.setdefault(bucket, {}).setdefault(name, [])
            if ticket.key not in keys:
                keys.append(ticket.key)
    warnings = []
    for bucket, what, consequence in CONSEQUENCES:
        if bucket not in named:
            continue
        count = len({key for keys in named[bucket].values() for key in keys})
        tickets = "1 open ticket names" if count == 1 else f"{count} open tickets name"
        names = ", ".join(f"{name} ({', '.join(keys)})" for name, keys in named[bucket].items())
        warnings.append(f"{tickets} {what} the new playbook removes: {names}; {consequence}")
    return warnings
