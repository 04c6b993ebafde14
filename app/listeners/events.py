"""Events API: App Home."""

from app import tickets
from app.listeners.stats import home_stats
from app.sla.targets import risk_key
from blocks.home import home_view


def handle_app_home_opened(event, client, context):
    if event.get("tab") not in (None, "home"):
        return
    relay, user = context["relay"], event["user"]
    playbook = relay.playbook
    teams = [k for k in playbook.teams if user in playbook.team_member_ids(k)]
    now = relay.now()
    with relay.sessions() as db:
        mine = tickets.tickets_of_user(db, user, limit=50, playbook=playbook)
        queue = tickets.tickets_of_teams(db, teams, limit=100) if teams else []

        def visible(found):  # riskiest first
            shown = [t for t in found if tickets.may_see(playbook, t, user)]
            return sorted(shown, key=lambda t: risk_key(playbook, t, now=now))

        view = home_view(visible(mine), visible(queue), playbook, now=now)
    view["blocks"][-1:-1] = home_stats(relay, user)
    client.views_publish(user_id=user, view=view)
