"""trigger_id rules, the modal stack, hashes and App Home, through the real WebClient."""

from __future__ import annotations

import re

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from app.simulator import SlackSimulator
from tests.simulator.conftest import SECRET, FakeClock


def modal(title: str = "Escalate", **extra) -> dict:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": title},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": title}}],
        **extra,
    }


def error_of(call, **kwargs) -> str:
    with pytest.raises(SlackApiError) as caught:
        call(**kwargs)
    return caught.value.response["error"]


@pytest.fixture
def clocked():
    clock = FakeClock()
    with SlackSimulator(SECRET, clock=clock) as sim:
        yield sim, clock, WebClient(token=sim.bot_token, base_url=sim.api_url)


def test_trigger_ids_are_single_use(clocked):
    sim, _clock, client = clocked
    alice = sim.add_user("alice")
    trigger = sim.issue_trigger(alice)
    assert re.fullmatch(r"\d+\.\d+\.[0-9a-f]+", trigger)
    opened = client.views_open(trigger_id=trigger, view=modal())["view"]
    assert opened["id"].startswith("V") and opened["root_view_id"] == opened["id"]
    assert error_of(client.views_open, trigger_id=trigger, view=modal()) == "exchanged_trigger_id"
    assert [v["id"] for v in sim.views_of(alice)] == [opened["id"]]


def test_trigger_ids_expire_after_three_seconds(clocked):
    sim, clock, client = clocked
    alice = sim.add_user("alice")
    fresh, stale = sim.issue_trigger(alice), sim.issue_trigger(alice)
    clock.advance(2.9)
    assert client.views_open(trigger_id=fresh, view=modal())["ok"]
    clock.advance(0.2)
    assert error_of(client.views_open, trigger_id=stale, view=modal()) == "expired_trigger_id"


def test_malformed_or_unknown_trigger_ids(clocked):
    sim, _clock, client = clocked
    for bad in ("nonsense", "12345.98765.abcd2358fdea"):
        assert error_of(client.views_open, trigger_id=bad, view=modal()) == "invalid_trigger_id"


def test_stack_holds_three_views(clocked):
    sim, _clock, client = clocked
    alice = sim.add_user("alice")
    root = client.views_open(trigger_id=sim.issue_trigger(alice), view=modal("One"))["view"]
    second = client.views_push(trigger_id=sim.issue_trigger(alice), view=modal("Two"))["view"]
    assert second["previous_view_id"] == root["id"] and second["root_view_id"] == root["id"]
    client.views_push(trigger_id=sim.issue_trigger(alice), view=modal("Three"))
    err = error_of(client.views_push, trigger_id=sim.issue_trigger(alice), view=modal("Four"))
    assert err == "push_limit_reached"
    assert [v["title"]["text"] for v in sim.views_of(alice)] == ["One", "Two", "Three"]
    kinds = [o.kind for o in sim.seen_by(alice)]
    assert kinds == ["view_opened", "view_pushed", "view_pushed"]


def test_update_with_stale_hash_conflicts(clocked):
    sim, _clock, client = clocked
    alice = sim.add_user("alice")
    view = client.views_open(trigger_id=sim.issue_trigger(alice), view=modal())["view"]
    newer = client.views_update(view_id=view["id"], hash=view["hash"], view=modal("Working"))
    assert newer["view"]["id"] == view["id"] and newer["view"]["hash"] != view["hash"]
    err = error_of(client.views_update, view_id=view["id"], hash=view["hash"], view=modal("Late"))
    assert err == "hash_conflict"
    assert error_of(client.views_update, view_id="V0NOPE00000", view=modal()) == "not_found"
    assert sim.views_of(alice)[0]["title"]["text"] == "Working"


def test_view_validation(clocked):
    sim, _clock, client = clocked
    alice = sim.add_user("alice")
    bad_views = [
        modal("T" * 25),
        modal(private_metadata="m" * 3001),
        modal(callback_id="c" * 256),
        {**modal(), "blocks": [{"type": "divider"}] * 101},
        {
            **modal(),
            "blocks": [
                {
                    "type": "input",
                    "label": {"type": "plain_text", "text": "needs submit"},
                    "element": {"type": "plain_text_input", "action_id": "a"},
                }
            ],
        },
    ]
    for view in bad_views:
        trigger = sim.issue_trigger(alice)
        assert error_of(client.views_open, trigger_id=trigger, view=view) == "invalid_arguments"
    trigger = sim.issue_trigger(alice)
    assert client.views_open(trigger_id=trigger, view=modal("T" * 24))["ok"]  # unused before


def test_app_home_publish_and_hash(clocked):
    sim, _clock, client = clocked
    alice = sim.add_user("alice")
    home = {
        "type": "home",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "1"}}],
    }
    first = client.views_publish(user_id=alice, view=home)["view"]
    second = client.views_publish(user_id=alice, view=home, hash=first["hash"])["view"]
    assert second["id"] == first["id"]
    err = error_of(client.views_publish, user_id=alice, view=home, hash=first["hash"])
    assert err == "hash_conflict"
    assert sim.home_of(alice)["hash"] == second["hash"]
    assert error_of(client.views_publish, user_id=alice, view=modal()) == "invalid_arguments"
    assert [o.kind for o in sim.seen_by(alice)] == ["home_published", "home_published"]
