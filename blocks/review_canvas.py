"""The blameless review draft, as canvas markdown, from the ticket's timeline: summary,
customer impact, key times against the targets, the timeline with captured pins, prompts
for contributing factors (what, never who), what went well and what did not, the action
items. Everything people wrote is redacted (app/comms/redaction.py)."""

from datetime import datetime

from app.comms.redaction import redact
from app.metrics import definitions
from app.models import ActionItem, Ticket, TimelineEvent
from app.playbook import Playbook
from blocks.action_items import plain_list
from blocks.labels import STATUS_LABEL
from blocks.text import minutes

KEY_TIMES = {
    "opened": "Opened",
    "acknowledged": "Acknowledged",
    "handoff.accepted": "Handoff accepted",
    "escalated": "Escalated",
    "mitigated": "Mitigated",
    "resolved": "Resolved",
    "reopened": "Reopened",
}
FACTOR_PROMPTS = (
    "What conditions made this possible (systems, changes, load, dependencies)?",
    "What made it hard to detect, diagnose or mitigate sooner?",
    "Which safeguards (alerts, tests, runbooks, limits) were missing or did not work?",
    "What would have made the right action the easy one?",
)
NOT_WHO = "_Blameless: describe systems and conditions, not people. Ask what, never who._"


def _clean(text: str | None, limit: int = 2000) -> str:
    """People's text for the canvas: redacted, one paragraph, no markdown headings."""
    text = redact((text or "")[:limit]).text
    return " ".join(text.split()).lstrip("#") or "—"


def _when(at: datetime, zone) -> str:
    return f"{at.astimezone(zone):%a %d %b %H:%M %Z}"


def _event_line(event: TimelineEvent, playbook: Playbook, zone) -> str | None:
    a = event.after or {}
    who = playbook.name_of(event.actor_id, "someone") if event.actor_id else "Relay"
    match event.kind:
        case "pin.captured":
            author = playbook.name_of(a.get("author") or "", "someone")
            link = f" ([message]({a['permalink']}))" if a.get("permalink") else ""
            return f"📌 {author}: “{_clean(a.get('text'), 500)}”{link}"
        case "opened":
            return f"Opened by {who}"
        case "escalated":
            return f"Escalated to {a.get('tier')} ({a.get('reason', '').replace('_', ' ')})"
        case "severity.changed":
            return f"Severity Sev{(event.before or {}).get('severity')} → Sev{a.get('severity')}"
        case "resolved":
            cause = f"; root cause: {a['root_cause']}" if a.get("root_cause") else ""
            return f"Resolved by {who}: {_clean(event.note, 500)}{cause}"
        case "sla.breached" | "sla.warning":
            what = "breached" if event.kind == "sla.breached" else "at risk"
            return f"{a.get('clock', '').title()} target {what}"
    if event.kind in KEY_TIMES:
        return f"{KEY_TIMES[event.kind]} by {who}"
    if event.kind.startswith(("war_room.", "swarm.", "role.", "handoff.", "paged", "mitigated")):
        return f"{event.kind.replace('.', ' ').replace('_', ' ')} ({who})"
    return None


def took(took: float | None, target: int, breached: bool) -> str:
    """`1 h 31 min (target 6 h, met)`; elapsed minutes against the target."""
    if took is None:
        return f"not yet (target {minutes(target)}{', missed' if breached else ''})"
    verdict = "missed" if breached else "met"
    return f"{minutes(round(took))} (target {minutes(target)}, {verdict})"


def key_figures(ticket: Ticket, events: list[TimelineEvent]) -> tuple[str, str]:
    """Time to acknowledge and time to resolve against the targets, from the timeline with
    the metric definitions (app/metrics/definitions.py: the times and the breaches that
    `/esc stats` counts). The review canvas and the drill's scorecard both show these."""
    facts = definitions.TicketFacts(
        severity=ticket.severity,
        team=ticket.team,
        customer_tier=ticket.customer_tier,
        opened_at=ticket.opened_at,
        events=tuple(definitions.Event(e.kind, e.at, e.after or {}) for e in events),
    )
    return (
        took(
            definitions.first_response(facts),
            ticket.response_target_minutes,
            definitions.breached(facts, "response"),
        ),
        took(
            definitions.resolution(facts),
            ticket.resolution_target_minutes,
            definitions.breached(facts, "resolution"),
        ),
    )


def review_markdown(
    ticket: Ticket,
    playbook: Playbook,
    events: list[TimelineEvent],
    items: list[ActionItem],
    *,
    now: datetime,
) -> str:
    team = playbook.teams.get(ticket.team)
    zone = team.calendar.zone if team else now.tzinfo
    severity = playbook.severity(ticket.severity).name
    resolved = [e for e in events if e.kind == "resolved"]
    cause = (resolved[-1].after or {}).get("root_cause") if resolved else None
    lines = [
        f"# Review: {ticket.key} {_clean(ticket.title, 150)}",
        NOT_WHO,
        "## Summary",
        f"- **Severity:** {severity} · **Team:** {team.name if team else ticket.team} · "
        f"**Status:** {STATUS_LABEL[ticket.status.value]}",
        f"- **What happened:** {_clean(ticket.description)}",
        f"- **Resolution:** {_clean(ticket.resolution_summary)}",
        f"- **Root-cause category:** {cause or '—'}",
        "## Customer impact",
        _clean(ticket.impact),
        "## Key times",
    ]
    for e in events:
        if e.kind in KEY_TIMES and e.kind != "reopened":
            lines.append(f"- {KEY_TIMES[e.kind]}: {_when(e.at, zone)}")
    tta, ttr = key_figures(ticket, events)
    lines += [
        f"- **Time to acknowledge:** {tta}",
        f"- **Time to resolve:** {ttr}",
        "## Timeline",
    ]
    for e in events:
        said = _event_line(e, playbook, zone)
        if said:
            lines.append(f"- {_when(e.at, zone)} · {said}")
    if not any(e.kind == "pin.captured" for e in events):
        lines.append("- _No messages were pinned in the channel._")
    lines += ["## Contributing factors", *(f"- {p}" for p in FACTOR_PROMPTS)]
    lines += ["## What went well", "- ", "## What did not go well", "- ", "## Action items"]
    lines.append(plain_list(items, playbook, zone) if items else "- None yet.")
    lines.append(f"_Add one with `/esc action {ticket.key}`._")
    return "\n".join(lines) + "\n"
