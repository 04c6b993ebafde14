"""Slack's rate limits in the simulator (opt-in): chat.postMessage per channel, the other
methods by tier, 429 with Retry-After; and the tier table against the published one."""

from __future__ import annotations

import json

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from app.simulator import SlackSimulator
from app.simulator.rate_limits import SPECIAL, TIERS, RateLimits
from app.simulator.web_api import METHODS
from tests.simulator.conftest import FakeClock, shared_path


def test_the_tier_table_matches_the_published_one():
    published = json.loads((shared_path() / "rate_limit_tiers.java-slack-sdk.json").read_text())
    assert set(TIERS) == set(METHODS), "every method the simulator serves has its tier"
    for method, tier in TIERS.items():
        expected = f"SpecialTier_{method.replace('.', '_')}" if tier == SPECIAL else tier
        assert published[method] == expected, method


def test_messages_are_limited_per_channel_with_a_short_burst():
    clock = FakeClock()
    limits = RateLimits(clock)
    post = lambda channel: limits.check("chat.postMessage", {"channel": channel})  # noqa: E731
    assert [post("C1") for _ in range(3)] == [None] * 3
    assert post("C1") == 1, "a message a second past the burst"
    assert post("C2") is None, "another channel is not held back"
    clock.advance(1)
    assert post("C1") is None and post("C1") == 1


def test_methods_are_limited_by_tier():
    clock = FakeClock()
    limits = RateLimits(clock)
    created = [limits.check("conversations.create", {}) for _ in range(6)]
    assert created[:5] == [None] * 5 and created[5] == 3, "Tier2: 20 a minute, bursts of 5"
    assert limits.check("chat.update", {}) is None, "each method counts on its own"
    assert limits.check("auth.test", {}) is None
    clock.advance(3)
    assert limits.check("conversations.create", {}) is None


@pytest.fixture
def limited():
    with SlackSimulator(rate_limits=True) as sim:
        yield sim, WebClient(token=sim.bot_token, base_url=sim.api_url, retry_handlers=[])


def test_a_call_over_the_limit_is_answered_429_with_retry_after(limited):
    sim, client = limited
    busy, quiet = sim.add_channel("busy"), sim.add_channel("quiet")
    for n in range(3):
        client.chat_postMessage(channel=busy, text=f"{n}")
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel=busy, text="one too many")
    response = caught.value.response
    assert response.status_code == 429 and response["error"] == "ratelimited"
    assert response.headers["Retry-After"] == "1"
    assert client.chat_postMessage(channel=quiet, text="fine")["ok"]
    assert [m["text"] for m in sim.messages(busy)] == ["0", "1", "2"]
    assert [c.error for c in sim.calls if not c.ok] == ["ratelimited"]


def test_limits_are_off_by_default():
    with SlackSimulator() as sim:
        client = WebClient(token=sim.bot_token, base_url=sim.api_url, retry_handlers=[])
        channel = sim.add_channel("general")
        for n in range(10):
            assert client.chat_postMessage(channel=channel, text=f"{n}")["ok"]
