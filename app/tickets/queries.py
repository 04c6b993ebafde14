"""Finding tickets."""

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.errors import NotFound
from app.models import OPEN_STATUSES, Ticket


def get_ticket(db: Session, key: str, *, for_update: bool = False) -> Ticket:
    key = (key or "").strip().upper()
    stmt = select(Ticket).where(Ticket.key == key)
    if for_update:
        stmt = stmt.with_for_update()
    ticket = db.scalar(stmt)
    if ticket is None:
        raise NotFound(f"There is no ticket {key or '(no key given)'}.")
    return ticket


def tickets_of_user(db: Session, user_id: str, *, limit: int = 20) -> list[Ticket]:
    stmt = (
        select(Ticket)
        .where(Ticket.status.in_(OPEN_STATUSES))
        .where(or_(Ticket.owner_id == user_id, Ticket.reporter_id == user_id))
        .order_by(Ticket.severity, Ticket.opened_at)
        .limit(limit)
    )
    return list(db.scalars(stmt))


def tickets_of_teams(db: Session, teams: list[str], *, limit: int = 20) -> list[Ticket]:
    stmt = (
        select(Ticket)
        .where(Ticket.status.in_(OPEN_STATUSES))
        .where(Ticket.team.in_(teams))
        .order_by(Ticket.severity, Ticket.opened_at)
        .limit(limit)
    )
    return list(db.scalars(stmt))
