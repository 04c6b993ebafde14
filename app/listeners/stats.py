"""`/esc stats [team] [period]` and the App Home's numbers."""

from datetime import timedelta

from app.errors import Invalid
from app.metrics import stats
from app.runtime import Relay
from blocks.stats import home_section, stats_blocks, stats_text
from blocks.text import escape

HOME_PERIOD = timedelta(days=30)
HOME_FRESH = timedelta(minutes=1)  # App Home's numbers are computed at most this often


def stats_answer(relay: Relay, user: str, args: list[str]) -> dict:
    """Arguments in any order: a team key (or `all`) and a period. Raises Invalid/Forbidden,
    whose messages may quote the arguments: escaped first (team keys and periods have
    nothing to escape)."""
    args = [escape(a) for a in args]
    periods = [a for a in args if a[:1].isdigit() or a.lower() == "week"]
    others = [a.lower() for a in args if a not in periods]
    if len(periods) > 1 or len(others) > 1:
        raise Invalid("Usage: `/esc stats [team] [period]`, e.g. `/esc stats payments 30d`.")
    period = stats.parse_period(periods[0] if periods else stats.DEFAULT_PERIOD)
    team = stats.choose_team(relay.playbook, user, others[0] if others else None)
    end = relay.now()
    with relay.sessions() as db:
        found = stats.compute(db, end - period, end, team=team)
    return {
        "text": stats_text(found, relay.playbook),
        "blocks": stats_blocks(found, relay.playbook),
    }


def home_stats(relay: Relay, user: str) -> list[dict]:
    """The App Home section: every team for those who lead, else the person's teams; none
    for someone on no team."""
    playbook = relay.playbook
    teams = [None] if stats.leads(playbook, user) else stats.teams_of(playbook, user)
    if not teams:
        return []
    return home_section([home_figures(relay, t) for t in teams], playbook)


def home_figures(relay: Relay, team: str | None) -> stats.Stats:
    """A team's (None: every team's) figures of the last 30 days, computed at most once a
    minute per process and team: App Home opened again within the minute shows them as
    they were then, without asking the database."""
    now = relay.now()
    found = relay.home_numbers.get(team)
    if found is None or not now - HOME_FRESH < found.end <= now:
        with relay.sessions() as db:
            found = stats.compute(db, now - HOME_PERIOD, now, team=team)
        relay.home_numbers[team] = found
    return found
