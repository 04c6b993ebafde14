"""`relay report`: the weekly report's data for a period of weeks, as CSV, JSON or Markdown,
titles redacted (a confidential type's never shown)."""

import csv
import io
import json
import re
from dataclasses import asdict

from app.metrics.stats import COLUMNS, FIELDS, duration, group_label, ordered
from app.playbook import Playbook
from app.reports.weekly import Report, as_dict, breach_title

FORMATS = ("csv", "json", "md")
PERIOD = re.compile(r"^(\d{1,2})w$")
MAX_WEEKS = 52
BREACH_FIELDS = ("key", "title", "severity", "team", "clock", "late_minutes")


def parse_weeks(text: str) -> int:
    """`week` (1) or `Nw`; raises ValueError with what to type."""
    match = PERIOD.match(text.strip().lower())
    weeks = 1 if text.strip().lower() == "week" else int(match[1]) if match else 0
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValueError(f"--period is `week` or a number of weeks like `4w` (1w to {MAX_WEEKS}w)")
    return weeks


def _groups(report: Report, playbook: Playbook):
    """(group, value label, figures): all tickets, then each group's values, then weeks."""
    yield "all", "", report.summary.overall
    for group, found in report.summary.by.items():
        for value, f in ordered(group, found):
            yield group, group_label(playbook, group, value), f
    for week, by in zip(report.weeks, report.by_week, strict=True):
        for sev, f in sorted(by.items()):
            yield "week", f"{week:%Y-%m-%d} Sev{sev}", f


def render(report: Report, playbook: Playbook, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(as_dict(report, playbook), indent=2, default=str) + "\n"
    if fmt == "csv":
        return _csv(report, playbook)
    return _markdown(report, playbook)


def _csv(report: Report, playbook: Playbook) -> str:
    """One table: figures rows (`section` figures) then breach rows (`section` breach)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "group", "value", *FIELDS, *BREACH_FIELDS])
    blank_breach = [""] * len(BREACH_FIELDS)
    for group, value, f in _groups(report, playbook):
        writer.writerow(["figures", group, value, *asdict(f).values(), *blank_breach])
    for b in report.breaches:
        row = {**asdict(b), "title": breach_title(playbook, b)}
        writer.writerow(["breach", "", "", *[""] * len(FIELDS), *(row[k] for k in BREACH_FIELDS)])
    return out.getvalue()


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _markdown(report: Report, playbook: Playbook) -> str:
    s = report.summary
    head = "| group | " + " | ".join(label for label, _ in COLUMNS) + " |"
    rule = "|" + " --- |" * (len(COLUMNS) + 1)
    lines = [
        f"# Escalation report {s.start:%Y-%m-%d} – {s.end:%Y-%m-%d}",
        "",
        "Tickets opened in the period (UTC), drills left out; titles redacted.",
        "",
        "## Figures",
        "",
        head,
        rule,
    ]
    for group, value, f in _groups(report, playbook):
        name = "All" if group == "all" else f"{group.replace('_', ' ')}: {value}"
        lines.append(
            f"| {_cell(name)} | " + " | ".join(_cell(show(f)) for _, show in COLUMNS) + " |"
        )
    lines += ["", "## Worst breaches", ""]
    if not report.breaches:
        lines.append("None.")
    for b in report.breaches:
        lines.append(
            f"- {b.key} Sev{b.severity} {_cell(breach_title(playbook, b))}"
            f" ({group_label(playbook, 'team', b.team)}):"
            f" {b.clock} target missed by {duration(b.late_minutes)}"
        )
    return "\n".join(lines) + "\n"
