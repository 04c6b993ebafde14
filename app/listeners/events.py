"""Events API: App Home; pins and :pushpin: reactions in a war room or swarm."""

from app import incident_changes, tickets
from app.listeners import learning
from app.listeners.stats import home_stats
from app.sla.targets import risk_key
from blocks.home import home_view

CAPTURE_REACTION = "pushpin"


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
        _, items = learning.action_blocks(db, playbook, user)
        view["blocks"][-1:-1] = [{"type": "divider"}, *items]
    view["blocks"][-1:-1] = home_stats(relay, user)
    client.views_publish(user_id=user, view=view)


def _capture(context, channel: str | None, ts: str | None, user: str | None) -> None:
    """Put the message on its ticket's timeline (Relay's own pins are not news)."""
    if channel and ts and user and user != context.get("bot_user_id"):
        incident_changes.capture_message(context["relay"], channel=channel, ts=ts, by=user)


def handle_reaction_added(event, context):
    item = event.get("item") or {}
    if event.get("reaction") == CAPTURE_REACTION and item.get("type") == "message":
        _capture(context, item.get("channel"), item.get("ts"), event.get("user"))


def handle_pin_added(event, context):
    item = event.get("item") or {}
    message = item.get("message") or {}
    channel = event.get("channel_id") or item.get("channel")
    if item.get("type") == "message":
        _capture(context, channel, message.get("ts"), event.get("user"))
