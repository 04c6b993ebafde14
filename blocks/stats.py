"""`/esc stats` and the App Home section: a period's figures, overall and by severity, team
and customer tier."""

from app.metrics.stats import Stats, group_label, line, ordered
from app.playbook import Playbook
from blocks.text import escape

GROUP_TITLES = {"severity": "By severity", "team": "By team", "customer_tier": "By customer tier"}


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


def scope(stats: Stats, playbook: Playbook) -> str:
    who = escape(playbook.teams[stats.team].name) if stats.team else "All teams"
    days = round((stats.end - stats.start).total_seconds() / 86400)
    span = f"{stats.start:%d %b} – {stats.end:%d %b %Y}"
    return f"{who}, last {days} days ({span}, UTC; tickets opened in the period, no drills)"


def stats_blocks(stats: Stats, playbook: Playbook) -> list[dict]:
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Escalation stats"}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": scope(stats, playbook)}]},
        _section(f"*Overall*: {line(stats.overall)}"),
    ]
    for group, title in GROUP_TITLES.items():
        if group == "team" and stats.team:
            continue
        rows = [
            f"• *{escape(group_label(playbook, group, value))}*: {line(f)}"
            for value, f in ordered(group, stats.by[group])
        ]
        blocks.append(_section(f"*{title}*\n" + ("\n".join(rows) or "No tickets.")))
    return blocks


def stats_text(stats: Stats, playbook: Playbook) -> str:
    return f"Escalation stats: {scope(stats, playbook)}: {line(stats.overall)}"


def home_section(stats: list[Stats], playbook: Playbook) -> list[dict]:
    """App Home: one line per team the person sees (or all teams), last 30 days."""
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": "The numbers"}}]
    for s in stats:
        blocks.append(_section(f"*{scope(s, playbook)}*\n{line(s.overall)}"))
    blocks.append(
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": "More with `/esc stats [team] [period]`."}],
        }
    )
    return blocks
