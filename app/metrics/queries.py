"""Reading the figures' inputs from the database: for the tickets opened in a period (drills
left out), each ticket's outcome, with the definitions of app/metrics/definitions.py pushed
into SQL where they are simple (first response, resolution, breaches, escalations, reopens:
one GROUP BY over the timeline); handoffs and ratings, which depend on the order of a few
events, are read as events and given to the definitions themselves."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, case, func, or_, select, text, type_coerce
from sqlalchemy.orm import Session

from app.metrics.definitions import (
    HANDOFF_DONE,
    RESPONDED,
    Event,
    Figures,
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


# PostgreSQL computes the figures themselves (percentile_cont is the definitions' linear
# interpolation between closest ranks), overall and by each group in one statement; the
# other databases hand each ticket's outcome to the definitions (`outcomes`). A test keeps
# both equal to the definitions on the database it runs on.
FIGURES_SQL = """
WITH period AS (
    SELECT id, severity, team, customer_tier, opened_at FROM tickets
    WHERE opened_at >= :start AND opened_at < :end AND NOT is_drill
      AND (CAST(:team AS VARCHAR) IS NULL OR team = :team)
), per AS (
    SELECT p.id, p.severity, p.team, p.customer_tier,
        EXTRACT(EPOCH FROM MIN(e.at) FILTER (WHERE e.kind IN :responded) - p.opened_at)
            / 60 AS fr,
        CASE WHEN MAX(e.id) FILTER (WHERE e.kind = 'resolved')
                > COALESCE(MAX(e.id) FILTER (WHERE e.kind = 'reopened'), 0)
            THEN EXTRACT(EPOCH FROM MAX(e.at) FILTER (WHERE e.kind = 'resolved') - p.opened_at)
                / 60 END AS res,
        COALESCE(BOOL_OR(CASE WHEN e.kind = 'sla.breached' THEN clock END = 'response'), FALSE)
            AS r_missed,
        COALESCE(BOOL_OR(CASE WHEN e.kind = 'sla.breached' THEN clock END = 'resolution'), FALSE)
            AS s_missed,
        COALESCE(BOOL_OR(e.kind = 'escalated'), FALSE) AS escalated,
        COALESCE(BOOL_OR(e.kind = 'reopened'), FALSE) AS reopened
    FROM period p
        LEFT JOIN (
            SELECT ticket_id, id, kind, at,
                CASE WHEN json_typeof(after) = 'object' THEN after->>'clock' END AS clock
            FROM timeline_events WHERE kind IN :summed
        ) e ON e.ticket_id = p.id
    GROUP BY p.id, p.severity, p.team, p.customer_tier, p.opened_at
), offers AS (
    SELECT e.ticket_id, e.kind, LEAD(e.kind) OVER (PARTITION BY e.ticket_id ORDER BY e.id) AS next
    FROM timeline_events e JOIN period p ON p.id = e.ticket_id
    WHERE e.kind IN ('handoff.offered', 'handoff.accepted', 'handoff.settled', 'handoff.expired')
), handoffs AS (
    SELECT ticket_id,
        COUNT(*) FILTER (WHERE next IN ('handoff.accepted', 'handoff.settled')) AS on_time,
        COUNT(*) FILTER (WHERE next IN ('handoff.accepted', 'handoff.settled', 'handoff.expired'))
            AS decided
    FROM offers WHERE kind = 'handoff.offered' GROUP BY ticket_id
), ratings AS (
    SELECT DISTINCT ON (e.ticket_id) e.ticket_id,
        CASE WHEN json_typeof(e.after) = 'object' AND e.after->>'rating' ~ '^[0-9]{1,9}$'
            THEN CAST(e.after->>'rating' AS INTEGER) END AS rating
    FROM timeline_events e JOIN period p ON p.id = e.ticket_id
    WHERE e.kind = 'rated' ORDER BY e.ticket_id, e.id DESC
), outcome AS (
    SELECT per.*, CAST(fr AS FLOAT8) AS frf, CAST(res AS FLOAT8) AS resf,
        CASE WHEN r_missed THEN 0 WHEN fr IS NOT NULL THEN 1 END AS r_within,
        CASE WHEN s_missed THEN 0 WHEN res IS NOT NULL THEN 1 END AS s_within,
        CASE WHEN r_missed OR s_missed THEN 0 WHEN res IS NOT NULL THEN 1 END AS within,
        COALESCE(h.on_time, 0) AS on_time, COALESCE(h.decided, 0) AS decided, r.rating
    FROM per LEFT JOIN handoffs h ON h.ticket_id = per.id
        LEFT JOIN ratings r ON r.ticket_id = per.id
)
SELECT GROUPING(severity), GROUPING(team), GROUPING(customer_tier),
    severity, team, customer_tier, COUNT(*),
    percentile_cont(0.5) WITHIN GROUP (ORDER BY frf),
    percentile_cont(0.9) WITHIN GROUP (ORDER BY frf),
    percentile_cont(0.5) WITHIN GROUP (ORDER BY resf),
    percentile_cont(0.9) WITHIN GROUP (ORDER BY resf),
    CAST(SUM(r_within) AS FLOAT8) / NULLIF(COUNT(r_within), 0),
    CAST(SUM(s_within) AS FLOAT8) / NULLIF(COUNT(s_within), 0),
    CAST(COUNT(*) FILTER (WHERE escalated) AS FLOAT8) / NULLIF(COUNT(*), 0),
    CAST(SUM(on_time) AS FLOAT8) / NULLIF(SUM(decided), 0),
    CAST(COUNT(*) FILTER (WHERE reopened) AS FLOAT8) / NULLIF(COUNT(*), 0),
    CAST(SUM(within) AS FLOAT8) / NULLIF(COUNT(within), 0),
    CAST(COUNT(*) FILTER (WHERE rating >= 4) AS FLOAT8) / NULLIF(COUNT(rating), 0),
    CAST(SUM(rating) AS FLOAT8) / NULLIF(COUNT(rating), 0),
    COUNT(rating)
FROM outcome
GROUP BY GROUPING SETS ((), (severity), (team), (customer_tier))
"""


def figures_in_sql(
    db: Session, start: datetime, end: datetime, *, team: str | None = None
) -> tuple[Figures, dict[str, dict[object, Figures]]] | None:
    """PostgreSQL: the figures overall and by severity, team and customer tier, computed by
    the database; None on other databases (use `outcomes` and the definitions)."""
    if db.connection().dialect.name != "postgresql":
        return None
    statement = text(FIGURES_SQL).bindparams(
        bindparam("responded", expanding=True), bindparam("summed", expanding=True)
    )
    params = {
        "start": start,
        "end": end,
        "team": team,
        "responded": list(RESPONDED),
        "summed": list(SUMMED),
    }
    overall, by = Figures(0, *[None] * 10), {g: {} for g in ("severity", "team", "customer_tier")}
    for row in db.execute(statement, params):
        no_sev, no_team, no_tier, severity, team_key, tier, count, *shares = row
        rated = shares.pop()
        found = Figures(count, *shares, rated=rated)
        if no_sev and no_team and no_tier:
            overall = found
        elif not no_sev:
            by["severity"][severity] = found
        elif not no_team:
            by["team"][team_key] = found
        else:
            by["customer_tier"][tier] = found
    return overall, by
