"""`/esc stats`, App Home and the reports: the figures of a period, overall and by severity,
team and customer tier, and who may see which."""

import re
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from app.errors import Forbidden, Invalid
from app.metrics.definitions import GROUPS, Figures, Outcome, figures, figures_by
from app.metrics.in_sql import figures_in_sql
from app.metrics.queries import outcomes
from app.playbook import Playbook

PERIOD = re.compile(r"^(\d{1,3})([dw])$", re.IGNORECASE)
DEFAULT_PERIOD = "30d"
MAX_DAYS = 366
ALL = "all"


@dataclass(frozen=True)
class Stats:
    start: datetime
    end: datetime
    team: str | None  # None: every team
    overall: Figures
    by: dict[str, dict[object, Figures]]  # group ("severity", "team", "customer_tier") -> figures


def parse_period(text: str) -> timedelta:
    """`7d`, `30d`, `12w`, or `week` (7 days); at most a year."""
    if text.lower() == "week":
        return timedelta(days=7)
    match = PERIOD.match(text)
    days = int(match[1]) * (7 if match[2].lower() == "w" else 1) if match else 0
    if not match or not 1 <= days <= MAX_DAYS:
        raise Invalid(
            f"`{text}` is not a period: use days or weeks such as `7d`, `30d`, `12w` or `week`"
            f" (at most {MAX_DAYS} days)."
        )
    return timedelta(days=days)


def summarise(found: list[Outcome], start, end, team: str | None) -> Stats:
    return Stats(start, end, team, figures(found), {g: figures_by(found, g) for g in GROUPS})


def compute(db: Session, start: datetime, end: datetime, *, team: str | None = None) -> Stats:
    in_sql = figures_in_sql(db, start, end, team=team)
    if in_sql is not None:
        return Stats(start, end, team, *in_sql)
    return summarise(outcomes(db, start, end, team=team), start, end, team)


def leads(playbook: Playbook, user_id: str) -> bool:
    """Admins, approvers, executives and team managers see every team's figures."""
    managers = [t.manager for t in playbook.teams.values()]
    handles = [*playbook.roles.approvers, *playbook.roles.executives, *managers]
    return playbook.is_admin(user_id) or user_id in playbook.handles_to_user_ids(handles)


def teams_of(playbook: Playbook, user_id: str) -> list[str]:
    return [k for k in playbook.teams if user_id in playbook.team_member_ids(k)]


def choose_team(playbook: Playbook, user_id: str, asked: str | None) -> str | None:
    """The team whose figures `user_id` gets for what they asked (a team key, `all`, or
    nothing); None means every team. Raises Invalid or Forbidden."""
    if asked not in (None, ALL, *playbook.teams):
        known = ", ".join(f"`{k}`" for k in playbook.teams)
        raise Invalid(f"There is no team `{asked}`. Teams: {known}, or `{ALL}`.")
    mine = teams_of(playbook, user_id)
    if leads(playbook, user_id):
        return None if asked in (None, ALL) else asked
    if asked is None and mine:
        return mine[0]
    if asked in mine:
        return asked
    raise Forbidden(
        "Stats are for a team's members (their own team) and for admins, approvers, executives"
        " and team managers (every team)."
    )


# -- how figures read ----------------------------------------------------------------------


def duration(value: float | None) -> str:
    """Minutes as `45m`, `3h 20m`, `2d 4h`; nothing to count as `—`."""
    if value is None:
        return "—"
    total = round(value)
    days, rest = divmod(total, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {mins}m" if mins else f"{hours}h"
    return f"{mins}m"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def csat(f: Figures) -> str:
    return "—" if f.csat is None else f"{percent(f.csat)} ({f.rated} rated)"


# Each figure as (label, how it reads): one table for Slack, markdown and the CSV's header.
COLUMNS = (
    ("tickets", lambda f: str(f.tickets)),
    ("first response median", lambda f: duration(f.first_response_median)),
    ("first response p90", lambda f: duration(f.first_response_p90)),
    ("resolution median", lambda f: duration(f.resolution_median)),
    ("resolution p90", lambda f: duration(f.resolution_p90)),
    ("within SLA", lambda f: percent(f.within_sla)),
    ("response within SLA", lambda f: percent(f.response_within)),
    ("resolution within SLA", lambda f: percent(f.resolution_within)),
    ("escalated", lambda f: percent(f.escalation_rate)),
    ("handoffs on time", lambda f: percent(f.handoffs_on_time)),
    ("reopened", lambda f: percent(f.reopen_rate)),
    ("CSAT", csat),
)
FIELDS = [f.name for f in fields(Figures)]  # raw values, for CSV and JSON


def line(f: Figures) -> str:
    """One group's figures on one line."""
    return (
        f"{f.tickets} tickets · first response {duration(f.first_response_median)}"
        f" (p90 {duration(f.first_response_p90)}) · resolution {duration(f.resolution_median)}"
        f" (p90 {duration(f.resolution_p90)}) · within SLA {percent(f.within_sla)} (response"
        f" {percent(f.response_within)}, resolution {percent(f.resolution_within)}) · escalated"
        f" {percent(f.escalation_rate)} · handoffs on time {percent(f.handoffs_on_time)} ·"
        f" reopened {percent(f.reopen_rate)} · CSAT {csat(f)}"
    )


def group_label(playbook: Playbook, group: str, value: object) -> str:
    if value is None:
        return "no customer" if group == "customer_tier" else "—"
    if group == "severity":
        return f"Sev{value}"
    if group == "team" and value in playbook.teams:
        return playbook.teams[value].name
    if group == "customer_tier" and value in playbook.customer_tiers:
        return playbook.customer_tiers[value].name
    return str(value)


def ordered(group: str, by: dict[object, Figures]) -> list[tuple[object, Figures]]:
    return sorted(by.items(), key=lambda item: (item[0] is None, str(item[0])))
