"""The weekly report's data: each of the last weeks' volume and share within SLA by severity
(the chart), the figures of the last week(s), and the worst breaches; and when it is due
(the weekday and time in the playbook's zone). Rendered by blocks/reports.py, posted by
app/effects/report_effects.py, exported by export.py."""

from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.comms.redaction import redact
from app.metrics.definitions import Figures, figures_by
from app.metrics.in_sql import report_in_sql
from app.metrics.queries import Breach, outcomes, worst_breaches
from app.metrics.stats import Stats, summarise
from app.playbook import Playbook
from app.playbook.models import WEEKDAYS, Reporting

WEEK = timedelta(days=7)
GRACE = timedelta(hours=6)  # a slot missed by more (the clock was down) is skipped
KIND = "report.weekly"


@dataclass(frozen=True)
class Report:
    start: datetime  # of the first week charted
    end: datetime
    weeks: list[datetime]  # each week's start
    by_week: list[dict[int, Figures]]  # per week: severity -> figures
    summary: Stats  # the last `summary_weeks` weeks (the weekly report: the last one)
    breaches: list[Breach]  # the summary's worst


def build(db: Session, *, end: datetime, weeks: int, worst: int, summary_weeks: int = 1) -> Report:
    start = end - weeks * WEEK
    starts = [start + i * WEEK for i in range(weeks)]
    since = end - summary_weeks * WEEK
    breaches = worst_breaches(db, since, end, limit=worst)
    computed = report_in_sql(db, start, end, weeks=weeks, since=since)
    if computed is not None:  # PostgreSQL: the database computes the figures
        summary = Stats(since, end, None, computed.overall, computed.by)
        return Report(start, end, starts, computed.by_week, summary, breaches)
    buckets: list[list] = [[] for _ in starts]
    for t in outcomes(db, start, end):
        buckets[min(int((t.opened_at - start) / WEEK), weeks - 1)].append(t)
    recent = [t for bucket in buckets[-summary_weeks:] for t in bucket]
    by_week = [figures_by(bucket, "severity") for bucket in buckets]
    return Report(start, end, starts, by_week, summarise(recent, since, end, None), breaches)


def breach_title(playbook: Playbook, breach: Breach) -> str:
    """Redacted; a confidential type's title is never shown."""
    kind = playbook.escalation_types.get(breach.escalation_type)
    if kind is not None and kind.confidential:
        return "(confidential)"
    return redact(breach.title).text


def series(report: Report) -> dict:
    """What the chart draws, as plain data (stored in the outbox row)."""
    severities = sorted({sev for by in report.by_week for sev in by})
    return {
        "weeks": [w.date().isoformat() for w in report.weeks],
        "volume": {
            str(s): [by[s].tickets if s in by else 0 for by in report.by_week] for s in severities
        },
        "within": {
            str(s): [by[s].within_sla if s in by else None for by in report.by_week]
            for s in severities
        },
    }


# -- when ----------------------------------------------------------------------------------


def last_slot(reporting: Reporting, now: datetime) -> datetime:
    """The newest report time at or before `now` (in UTC)."""
    zone = ZoneInfo(reporting.timezone)
    local = now.astimezone(zone)
    hour, minute = map(int, reporting.time.split(":"))
    days_back = (local.weekday() - WEEKDAYS.index(reporting.weekday)) % 7
    day = (local - timedelta(days=days_back)).date()
    slot = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
    if slot > local:
        day -= timedelta(days=7)
        slot = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
    return slot.astimezone(UTC)


def as_dict(report: Report, playbook: Playbook) -> dict:
    """The report as plain data (the JSON export); titles redacted."""
    return {
        "start": report.start.isoformat(),
        "end": report.end.isoformat(),
        "weeks": [
            {"start": w.isoformat(), "by_severity": {str(s): asdict(f) for s, f in by.items()}}
            for w, by in zip(report.weeks, report.by_week, strict=True)
        ],
        "summary": {
            "start": report.summary.start.isoformat(),
            "overall": asdict(report.summary.overall),
            "by": {
                group: {str(k): asdict(f) for k, f in found.items()}
                for group, found in report.summary.by.items()
            },
        },
        "worst_breaches": [
            {**asdict(b), "title": breach_title(playbook, b)} for b in report.breaches
        ],
    }
