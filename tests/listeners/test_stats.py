"""`/esc stats` and App Home's numbers, on a database of their own (figures count all)."""

from datetime import timedelta

from slack_sdk import WebClient

from app.listeners.events import handle_app_home_opened
from app.runtime import Relay
from tests.listeners.conftest import esc
from tests.metrics.storing import store
from tests.metrics.test_definitions import TICKETS, at, ticket
from tests.test_clock import Clock


def relay_on(fresh, sim, playbook):
    store(fresh, TICKETS)
    client = WebClient(token=sim.bot_token, base_url=sim.api_url)
    return Relay(playbook, fresh, client, now=Clock(at("00:00") + timedelta(days=2)))


def answer(fakes) -> tuple[str, str]:
    [said] = fakes.of("respond")
    return said["text"], str(said.get("blocks", ""))


def test_a_member_gets_their_teams_figures(fakes, fresh, sim, playbook, people):
    relay = relay_on(fresh, sim, playbook)
    esc(fakes, relay, people.agent, "stats")
    text, blocks = answer(fakes)
    # Payments (T1, T2, T6; the drill T5 left out): responses 10 and 40 minutes
    assert text.startswith("Escalation stats: Payments, last 30 days")
    assert "3 tickets · first response 25m (p90 37m) · resolution 3h (p90 3h 48m)" in text
    assert "*Sev1*: 3 tickets" in blocks and "*By customer tier*" in blocks
    assert "*By team*" not in blocks  # one team: no team breakdown


def test_a_manager_sees_every_team_over_any_period(fakes, fresh, sim, playbook, people):
    relay = relay_on(fresh, sim, playbook)
    esc(fakes, relay, people.manager, "stats 12w all")
    text, blocks = answer(fakes)
    assert text.startswith("Escalation stats: All teams, last 84 days")
    assert "5 tickets" in text and "*Identity*: 2 tickets" in blocks


def test_refusals_say_why(fakes, fresh, sim, playbook, people):
    relay = relay_on(fresh, sim, playbook)
    for typed in ("stats identity", "stats all", "stats nope", "stats 7x", "stats payments 7d 8d"):
        esc(fakes, relay, people.agent, typed)
    said = [kwargs["text"] for kwargs in fakes.of("respond")]
    assert said[0].startswith("Stats are for a team's members (their own team)")
    assert said[1] == said[0]
    assert said[2].startswith("There is no team `nope`. Teams: `payments`")
    assert said[3].startswith("`7x` is not a period")
    assert said[4].startswith("Usage: `/esc stats [team] [period]`")
    assert all(kwargs["response_type"] == "ephemeral" for kwargs in fakes.of("respond"))


class Publisher:
    def __init__(self):
        self.views = []

    def views_publish(self, user_id, view):
        self.views.append(view)


def test_app_home_shows_the_teams_last_30_days(fresh, sim, playbook, people):
    relay = relay_on(fresh, sim, playbook)
    client = Publisher()
    event = {"type": "app_home_opened", "user": people.outsider, "tab": "home"}
    handle_app_home_opened(event, client, {"relay": relay})
    [view] = client.views
    texts = [str(b.get("text", {}).get("text", "")) for b in view["blocks"]]
    at_numbers = texts.index("The numbers")
    assert texts[at_numbers + 1].startswith("*Identity, last 30 days")
    assert "2 tickets · first response 18m (p90 28m)" in texts[at_numbers + 1]


def test_app_home_numbers_are_computed_once_a_minute(fresh, sim, playbook, people):
    relay = relay_on(fresh, sim, playbook)

    def numbers() -> str:
        client = Publisher()
        event = {"type": "app_home_opened", "user": people.outsider, "tab": "home"}
        handle_app_home_opened(event, client, {"relay": relay})
        texts = [str(b.get("text", {}).get("text", "")) for b in client.views[0]["blocks"]]
        return texts[texts.index("The numbers") + 1]

    assert "2 tickets" in numbers()
    one_more = ticket(2, "identity", None, "10:00", ("acknowledged", "10:05"))
    store(fresh, [one_more], first=99)  # an Identity ticket stored after the first open
    relay.now.value += timedelta(seconds=59)  # within the minute: the figures as they were
    assert "2 tickets" in numbers()
    relay.now.value += timedelta(seconds=1)  # a minute after: computed again
    assert "3 tickets" in numbers()
