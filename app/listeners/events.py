"""Events API: App Home."""

from slack_bolt import App

from app import tickets
from app.context import Relay
from blocks.home import home_view


def register(app: App, relay: Relay) -> None:
    @app.event("app_home_opened")
    def handle_app_home_opened(event, client):
        if event.get("tab") not in (None, "home"):
            return
        user = event["user"]
        playbook = relay.playbook
        teams = [k for k in playbook.teams if user in playbook.team_member_ids(k)]
        with relay.sessions() as db:
            mine = tickets.tickets_of_user(db, user)
            queue = tickets.tickets_of_teams(db, teams) if teams else []
            view = home_view(mine, queue, playbook)
        client.views_publish(user_id=user, view=view)
