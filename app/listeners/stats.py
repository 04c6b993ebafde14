"""`/esc stats [team] [period]` and the App Home's numbers."""

from datetime import timedelta

from app.errors import Invalid
from app.metrics import stats
from app.runtime import Relay
from blocks.stats import home_section, stats_blocks, stats_text
from blocks.text import escape

HOME_PERIOD = timedelta(days=30)


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
    """A team's (None: every team's) figures for the 30 days to the start of this minute,
    computed once a minute per process and team: opening App Home does not recompute them."""
    end = relay.now().replace(second=0, microsecond=0)
    cache = relay.home_numbers
    found = cache.get(team)
    if found is None or found.end != end:
        with relay.sessions() as db:
            found = stats.compute(db, end - HOME_PERIOD, end, team=team)
        cache[team] = found
    return found
