"""PostgreSQL computes the figures themselves, the definitions of app/metrics/definitions.py
in SQL (percentile_cont is the definitions' linear interpolation between closest ranks): for
`/esc stats`, overall and by each group in one statement; for the weekly report, the same
for the last week(s) and each week's figures by severity, also in one statement. The other
databases hand each ticket's outcome to the definitions (queries.outcomes). Tests keep both
equal to the definitions on the database they run on."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from app.metrics.definitions import GROUPS, RESPONDED, Figures
from app.metrics.queries import SUMMED

# Each ticket of the period with its outcome; `recent` (opened since :since) and `week`
# (whole weeks since :start) say which report rows it counts in.
OUTCOMES = """
WITH period AS (
    SELECT id, severity, team, customer_tier, opened_at, opened_at >= :since AS recent,
        LEAST(CAST(FLOOR(EXTRACT(EPOCH FROM opened_at - :start) / :week) AS INTEGER),
            :last_week) AS week
    FROM tickets
    WHERE opened_at >= :start AND opened_at < :end AND NOT is_drill
      AND (CAST(:team AS VARCHAR) IS NULL OR team = :team)
), per AS (
    SELECT p.id, p.severity, p.team, p.customer_tier, p.recent, p.week,
        EXTRACT(EPOCH FROM MIN(e.at) FILTER (WHERE e.kind IN :responded) - p.opened_at)
            / 60 AS fr,
        CASE WHEN MAX(e.id) FILTER (WHERE e.kind = 'resolved')
                > COALESCE(MAX(e.id) FILTER (WHERE e.kind = 'reopened'), 0)
            THEN EXTRACT(EPOCH FROM MAX(e.at) FILTER (WHERE e.kind = 'resolved')
                - p.opened_at) / 60 END AS res,
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
    GROUP BY p.id, p.severity, p.team, p.customer_tier, p.opened_at, p.recent, p.week
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
SELECT GROUPING(recent), GROUPING(week), GROUPING(severity), GROUPING(team),
    GROUPING(customer_tier), recent, week, severity, team, customer_tier, COUNT(*),
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
GROUP BY GROUPING SETS ({sets})
"""
# The summary's rows (overall, by severity, team, customer tier) of the recent tickets;
# `/esc stats` has every ticket recent and in week 0. The report adds each week's severities.
SUMMARY = "(recent{w}), (recent{w}, severity), (recent{w}, team), (recent{w}, customer_tier)"
STATS_SQL = OUTCOMES.replace("{sets}", SUMMARY.format(w=", week"))
REPORT_SQL = OUTCOMES.replace("{sets}", SUMMARY.format(w="") + ", (week, severity)")
STATEMENTS = {
    sql: text(sql).bindparams(
        bindparam("responded", expanding=True), bindparam("summed", expanding=True)
    )
    for sql in (STATS_SQL, REPORT_SQL)
}


@dataclass(frozen=True)
class Computed:
    overall: Figures
    by: dict[str, dict[object, Figures]]  # group -> value -> figures (the recent tickets)
    by_week: list[dict[int, Figures]]  # per week: severity -> figures (the report only)


def _run(db: Session, sql: str, params: dict, weeks: int) -> Computed:
    params = {**params, "responded": list(RESPONDED), "summed": list(SUMMED)}
    # One statement over up to a hundred thousand tickets: sorted in memory rather than on
    # disk, and not worth compiling (JIT costs more than it saves here). This transaction only.
    db.execute(text("SET LOCAL work_mem = '64MB'"))
    db.execute(text("SET LOCAL jit = off"))
    overall, by = Figures(0, *[None] * 10), {g: {} for g in GROUPS}
    by_week: list[dict[int, Figures]] = [{} for _ in range(weeks)]
    for row in db.execute(STATEMENTS[sql], params):
        no_recent, _, no_sev, no_team, no_tier, recent, week, sev, team, tier, count = row[:11]
        *shares, rated = row[11:]
        found = Figures(count, *shares, rated=rated)
        if no_recent:  # a week's severity
            by_week[week][sev] = found
        elif not recent:
            continue
        elif no_sev and no_team and no_tier:
            overall = found
        elif not no_sev:
            by["severity"][sev] = found
        elif not no_team:
            by["team"][team] = found
        else:
            by["customer_tier"][tier] = found
    return Computed(overall, by, by_week)


def figures_in_sql(db: Session, start: datetime, end: datetime, *, team: str | None = None):
    """`/esc stats`: (overall, by group) computed by the database; None other than on
    PostgreSQL (use queries.outcomes and the definitions)."""
    if db.connection().dialect.name != "postgresql":
        return None
    params = {"start": start, "end": end, "since": start, "team": team}
    found = _run(db, STATS_SQL, {**params, "week": 1e12, "last_week": 0}, 1)
    return found.overall, found.by


def report_in_sql(db: Session, start: datetime, end: datetime, *, weeks: int, since: datetime):
    """The weekly report's figures: the tickets opened since `since` (overall and by group)
    and each of the `weeks` weeks from `start` by severity; None other than on PostgreSQL."""
    if db.connection().dialect.name != "postgresql":
        return None
    week = timedelta(days=7).total_seconds()
    params = {"start": start, "end": end, "since": since, "team": None}
    return _run(db, REPORT_SQL, {**params, "week": week, "last_week": weeks - 1}, weeks)
