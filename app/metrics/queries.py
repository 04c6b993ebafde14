"""Reading the figures' inputs from the database: for the tickets opened in a period (drills
left out), each ticket's outcome, with the definitions of app/metrics/definitions.py pushed
into SQL where they are simple (first response, resolution, breaches, escalations, reopens:
one GROUP BY over the timeline); handoffs and ratings, which depend on the order of a few
events, are read as events and given to the definitions themselves."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from app.metrics.definitions import (
    HANDOFF_DONE,
    RESPONDED,
    Event,
    Outcome,
    TicketFacts,
    handoffs,
    minutes,
    rating,
    within,
)
from app.models import Ticket, TimelineEvent, UTCDateTime

ORDERED = ("handoff.offered", *HANDOFF_DONE, "handoff.expired", "rated")
SUMMED = (*RESPONDED, "resolved", "reopened", "escalated", "sla.breached")


def _in_period(start: datetime, end: datetime, team: str | None) -> list:
    where = [Ticket.opened_at >= start, Ticket.opened_at < end, Ticket.is_drill.is_(False)]
    if team is not None:
        where.append(Ticket.team == team)
    return where


def _count(condition):
    return func.sum(case((condition, 1), else_=0))


def outcomes(
    db: Session, start: datetime, end: datetime, *, team: str | None = None
) -> list[Outcome]:
    """Every non-drill ticket opened in [start, end) (of one team): two queries."""
    where = _in_period(start, end, team)
    e = TimelineEvent
    clock = e.after["clock"].as_string()
    breached = e.kind == "sla.breached"
    summary = (
        select(
            Ticket.id,
            Ticket.severity,
            Ticket.team,
            Ticket.customer_tier,
            Ticket.opened_at,
            type_coerce(func.min(case((e.kind.in_(RESPONDED), e.at))), UTCDateTime),
            type_coerce(func.max(case((e.kind == "resolved", e.at))), UTCDateTime),
            func.max(case((e.kind == "resolved", e.id))),
            func.max(case((e.kind == "reopened", e.id))),
            _count(and_(breached, clock == "response")),
            _count(and_(breached, clock == "resolution")),
            _count(e.kind == "escalated"),
        )
        .select_from(Ticket)
        .outerjoin(e, and_(e.ticket_id == Ticket.id, e.kind.in_(SUMMED)))
        .where(*where)
        .group_by(Ticket.id, Ticket.severity, Ticket.team, Ticket.customer_tier, Ticket.opened_at)
        .order_by(Ticket.id)
    )
    ordered: dict[int, list[Event]] = {}
    rows = db.execute(
        select(e.ticket_id, e.kind, e.at, e.after)
        .join(Ticket, Ticket.id == e.ticket_id)
        .where(*where, e.kind.in_(ORDERED))
        .order_by(e.ticket_id, e.id)
    )
    for ticket_id, kind, at, after in rows:
        ordered.setdefault(ticket_id, []).append(Event(kind, at, after or {}))
    found = []
    for row in db.execute(summary):
        ticket_id, severity, team_key, tier, opened, responded, resolved_at = row[:7]
        resolved_id, reopened_id, response_missed, resolution_missed, escalations = row[7:]
        still_resolved = resolved_id is not None and (reopened_id or 0) < resolved_id
        resolved = minutes(opened, resolved_at) if still_resolved else None
        events = ordered.get(ticket_id)
        facts = TicketFacts(severity, team_key, tier, opened, tuple(events)) if events else None
        found.append(
            Outcome(
                severity,
                team_key,
                tier,
                minutes(opened, responded) if responded else None,
                resolved,
                within(bool(response_missed), responded is not None),
                within(bool(resolution_missed), resolved is not None),
                within(bool(response_missed or resolution_missed), resolved is not None),
                bool(escalations),
                reopened_id is not None,
                tuple(handoffs(facts)) if facts else (),
                rating(facts) if facts else None,
                opened_at=opened,
            )
        )
    return found


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
