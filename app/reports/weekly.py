"""The weekly report: each of the last weeks' volume and share within SLA by severity (the
chart), the figures of the last week, and its worst breaches; when it is due; the Slack
effect that posts it (`report.weekly`: the chart uploaded with Slack's external upload flow,
the report as its comment).

The clock asks `enqueue_due` every tick; the report for a slot (weekday and time in the
playbook's zone) is enqueued once, keyed by the slot, so several clocks post it once. A slot
missed by more than GRACE (the clock was down) is skipped: a late weekly report is news of
last week."""

from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from app.comms.redaction import redact
from app.metrics.definitions import Figures, figures_by
from app.metrics.queries import Breach, outcomes, worst_breaches
from app.metrics.stats import Stats, duration, group_label, line, summarise
from app.playbook import Playbook
from app.playbook.models import WEEKDAYS, Reporting
from blocks.text import escape

WEEK = timedelta(days=7)
GRACE = timedelta(hours=6)
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
    found = outcomes(db, start, end)
    starts = [start + i * WEEK for i in range(weeks)]
    buckets: list[list] = [[] for _ in starts]
    for t in found:
        buckets[min(int((t.opened_at - start) / WEEK), weeks - 1)].append(t)
    since = end - summary_weeks * WEEK
    summary = [t for bucket in buckets[-summary_weeks:] for t in bucket]
    return Report(
        start,
        end,
        starts,
        [figures_by(bucket, "severity") for bucket in buckets],
        summarise(summary, since, end, None),
        worst_breaches(db, since, end, limit=worst),
    )


def breach_title(playbook: Playbook, breach: Breach) -> str:
    """Redacted; a confidential type's title is never shown."""
    kind = playbook.escalation_types.get(breach.escalation_type)
    if kind is not None and kind.confidential:
        return "(confidential)"
    return redact(breach.title).text


def text(report: Report, playbook: Playbook) -> str:
    """The report as Slack mrkdwn (the chart's comment)."""
    s = report.summary
    lines = [
        f"*Weekly escalation report*, {s.start:%d %b} – {s.end:%d %b %Y} (UTC; no drills)",
        f"*All*: {line(s.overall)}",
        *(
            f"• *{group_label(playbook, 'severity', sev)}*: {line(f)}"
            for sev, f in sorted(s.by["severity"].items())
        ),
    ]
    if report.breaches:
        lines.append("*Worst breaches*")
        lines += [
            f"• {b.key} Sev{b.severity} {escape(breach_title(playbook, b))}"
            f" ({escape(group_label(playbook, 'team', b.team))}):"
            f" {b.clock} {duration(b.late_minutes)} late"
            for b in report.breaches
        ]
    else:
        lines.append("No breaches.")
    weeks = ", ".join(
        f"{w:%d %b} {sum(f.tickets for f in by.values())}"
        for w, by in zip(report.weeks, report.by_week, strict=True)
    )
    lines.append(f"Tickets by week: {weeks}.")
    return "\n".join(lines)


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


def due_row(db: Session, playbook: Playbook, now: datetime) -> dict | None:
    """The outbox row of the report due now, or None (no reporting section, or the slot
    passed more than GRACE ago). Enqueued with the slot as its key: once, whoever asks."""
    from app.effects import outbox

    reporting = playbook.reporting
    if reporting is None:
        return None
    slot = last_slot(reporting, now)
    if now - slot > GRACE:
        return None
    report = build(db, end=slot, weeks=reporting.weeks, worst=reporting.worst_breaches)
    payload = {
        "channel": reporting.channel,
        "text": text(report, playbook),
        "series": series(report),
        "filename": f"relay-weekly-{slot:%Y-%m-%d}.png",
    }
    return outbox.row(key=f"{KIND}:{slot.isoformat()}", kind=KIND, payload=payload, now=now)


def enqueue_due(relay) -> bool:
    """Called by the clock each tick; True when a report was enqueued by this call."""
    from app import db as relay_db
    from app.effects import outbox
    from app.models import OutboxMessage

    if relay.playbook.reporting is None or relay.drill:
        return False
    now = relay.now()
    key = f"{KIND}:{last_slot(relay.playbook.reporting, now).isoformat()}"
    with relay_db.transaction(relay.sessions) as db:
        if db.query(OutboxMessage.id).filter_by(idem_key=key).first() is not None:
            return False
        row = due_row(db, relay.playbook, now)
        if row is None:
            return False
        outbox.enqueue_rows(db, [row])
    return True


def send(client: WebClient, args: dict) -> dict:
    """The chart through Slack's external upload flow (files.getUploadURLExternal, the
    upload, files.completeUploadExternal: slack_sdk's files_upload_v2), the report as its
    comment in the channel."""
    from app.reports.chart import chart_png

    png = chart_png(args["series"])
    answer = client.files_upload_v2(
        channel=args["channel"],
        file=png,
        filename=args["filename"],
        title="Escalations by week: volume and % within SLA by severity",
        alt_txt="Bar chart of tickets per week by severity, lines of the share within SLA",
        initial_comment=args["text"],
    )
    return {"channel": args["channel"], "files": [f["id"] for f in answer.get("files", [])]}


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
