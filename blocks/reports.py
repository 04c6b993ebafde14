"""The weekly report as Slack mrkdwn: the comment of its chart."""

from app.metrics.stats import duration, group_label, line
from app.playbook import Playbook
from app.reports.weekly import Report, breach_title
from blocks.text import escape


def report_text(report: Report, playbook: Playbook) -> str:
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
