"""Finding tickets."""

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from app.errors import NotFound
from app.models import OPEN_STATUSES, Ticket
from app.playbook import Playbook
from app.tickets.access import raci_user_ids

# Built once: every click and form reads a ticket by its key.
BY_KEY = select(Ticket).where(Ticket.key == bindparam("key"))
BY_KEY_FOR_UPDATE = BY_KEY.with_for_update()


def get_ticket(db: Session, key: str, *, for_update: bool = False) -> Ticket:
    key = (key or "").strip().upper()
    ticket = db.scalar(BY_KEY_FOR_UPDATE if for_update else BY_KEY, {"key": key})
    if ticket is None:
        raise NotFound(f"There is no ticket {key or '(no key given)'}.")
    return ticket


def tickets_of_user(
    db: Session, user_id: str, *, limit: int = 20, playbook: Playbook | None = None
) -> list[Ticket]:
    """Open tickets the user owns or reported; with `playbook`, also the confidential ones
    whose RACI names them."""
    stmt = (
        select(Ticket)
        .where(Ticket.status.in_(OPEN_STATUSES))
        .where(or_(Ticket.owner_id == user_id, Ticket.reporter_id == user_id))
        .order_by(Ticket.severity, Ticket.opened_at, Ticket.id)
        .limit(limit)
    )
    found = list(db.scalars(stmt))
    if playbook is not None:
        found += [t for t in naming(db, playbook, user_id) if t not in found]
        found.sort(key=lambda t: (t.severity, t.opened_at, t.id))
    return found[:limit]


def naming(db: Session, playbook: Playbook, user_id: str, *, scan: int = 500) -> list[Ticket]:
    """Open tickets of confidential types whose RACI names the user."""
    types = [k for k, kind in playbook.escalation_types.items() if kind.confidential]
    stmt = (
        select(Ticket)
        .where(Ticket.status.in_(OPEN_STATUSES))
        .where(Ticket.escalation_type.in_(types))
        .order_by(Ticket.opened_at.desc())
        .limit(scan)
    )
    return [t for t in db.scalars(stmt) if user_id in raci_user_ids(playbook, t)]


def tickets_of_teams(db: Session, teams: list[str], *, limit: int = 20) -> list[Ticket]:
    stmt = (
        select(Ticket)
        .where(Ticket.status.in_(OPEN_STATUSES))
        .where(Ticket.team.in_(teams))
        .order_by(Ticket.severity, Ticket.opened_at, Ticket.id)
        .limit(limit)
    )
    return list(db.scalars(stmt))
