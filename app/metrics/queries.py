"""Reading what the metric definitions need from the database: the tickets opened in a
period (drills left out) with the timeline events the definitions look at."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.metrics.definitions import HANDOFF_DONE, RESPONDED, Event, TicketFacts
from app.models import Ticket, TimelineEvent

# The events the definitions read; of these only breaches and ratings need `after`.
WITH_AFTER = ("sla.breached", "rated")
WITHOUT_AFTER = (
    *RESPONDED,
    *HANDOFF_DONE,
    "handoff.offered",
    "handoff.expired",
    "resolved",
    "reopened",
    "escalated",
)


def _in_period(start: datetime, end: datetime, team: str | None) -> list:
    where = [Ticket.opened_at >= start, Ticket.opened_at < end, Ticket.is_drill.is_(False)]
    if team is not None:
        where.append(Ticket.team == team)
    return where


def ticket_facts(
    db: Session, start: datetime, end: datetime, *, team: str | None = None
) -> list[TicketFacts]:
    """Every non-drill ticket opened in [start, end) (of one team), with its events: three
    queries, however many tickets."""
    where = _in_period(start, end, team)
    found: dict[int, list] = {}
    for columns, kinds in (
        ((TimelineEvent.kind, TimelineEvent.at), WITHOUT_AFTER),
        ((TimelineEvent.kind, TimelineEvent.at, TimelineEvent.after), WITH_AFTER),
    ):
        rows = db.execute(
            select(TimelineEvent.ticket_id, TimelineEvent.id, *columns)
            .join(Ticket, Ticket.id == TimelineEvent.ticket_id)
            .where(*where, TimelineEvent.kind.in_(kinds))
        )
        for ticket_id, event_id, kind, at, *after in rows:
            event = Event(kind, at, (after[0] or {}) if after else {})
            found.setdefault(ticket_id, []).append((event_id, event))
    tickets = db.execute(
        select(Ticket.id, Ticket.severity, Ticket.team, Ticket.customer_tier, Ticket.opened_at)
        .where(*where)
        .order_by(Ticket.id)
    )
    return [
        TicketFacts(
            severity,
            team_key,
            tier,
            opened_at,
            tuple(event for _, event in sorted(found.get(ticket_id, ()), key=lambda e: e[0])),
        )
        for ticket_id, severity, team_key, tier, opened_at in tickets
    ]


@dataclass(frozen=True)
class Breach:
    key: str
    title: str
    severity: int
    team: str
    escalation_type: str
    clock: str  # "response" or "resolution"
    late_minutes: float  # past the due time, until met or `end`


def worst_breaches(
    db: Session, start: datetime, end: datetime, *, limit: int, team: str | None = None
) -> list[Breach]:
    """The tickets opened in the period that missed a target, the latest past it first: a
    response counted until acknowledged, a resolution until resolved (else until `end`)."""
    rows = db.execute(
        select(
            Ticket.key,
            Ticket.title,
            Ticket.severity,
            Ticket.team,
            Ticket.escalation_type,
            Ticket.response_breached,
            Ticket.response_due_at,
            Ticket.acknowledged_at,
            Ticket.resolution_breached,
            Ticket.resolution_due_at,
            Ticket.resolved_at,
        ).where(
            *_in_period(start, end, team),
            or_(Ticket.response_breached.is_(True), Ticket.resolution_breached.is_(True)),
        )
    )
    found = []
    for key, title, sev, team_key, kind, r_missed, r_due, acked, s_missed, s_due, solved in rows:
        for clock, missed, due, met in (
            ("response", r_missed, r_due, acked),
            ("resolution", s_missed, s_due, solved),
        ):
            if missed and due is not None:
                late = ((met or end) - due).total_seconds() / 60
                found.append(Breach(key, title, sev, team_key, kind, clock, max(late, 0.0)))
    found.sort(key=lambda b: -b.late_minutes)
    return found[:limit]


def count_opened(db: Session, start: datetime, end: datetime) -> int:
    return db.scalar(select(func.count()).select_from(Ticket).where(*_in_period(start, end, None)))
