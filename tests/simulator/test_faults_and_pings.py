"""Injected faults as slack_sdk experiences them, and which mentions notify people."""

from __future__ import annotations

import time

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler


def test_ratelimit_is_retried_by_slack_sdk(sim, people):
    client = WebClient(token=sim.bot_token, base_url=sim.api_url)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    sim.faults.inject("chat.postMessage", "ratelimit", times=1, retry_after=0)
    assert client.chat_postMessage(channel=people["general"], text="hello")["ok"]
    calls = [(c.method, c.ok, c.error) for c in sim.calls]
    assert calls == [("chat.postMessage", False, "ratelimited"), ("chat.postMessage", True, None)]
    assert len(sim.messages(people["general"])) == 1


def test_ratelimit_without_retry_handler_surfaces_429(client, sim, people):
    sim.faults.inject("*", "ratelimit", retry_after=7)
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel=people["general"], text="hello")
    response = caught.value.response
    assert response.status_code == 429 and response["error"] == "ratelimited"
    assert response.headers["Retry-After"] == "7"


@pytest.mark.parametrize("status", [500, 503])
def test_server_error_surfaces_as_slack_api_error(client, sim, people, status):
    sim.faults.inject("chat.postMessage", "server_error", status=status)
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel=people["general"], text="hello")
    assert caught.value.response.status_code == status
    assert sim.messages(people["general"]) == []
    assert client.chat_postMessage(channel=people["general"], text="again")["ok"]  # used up


def test_slow_fault_delays_then_answers(client, sim):
    sim.faults.inject("auth.test", "slow", delay=0.3)
    started = time.monotonic()
    assert client.auth_test()["ok"]
    assert time.monotonic() - started >= 0.3
    sim.faults.inject("auth.test", "ratelimit", times=5)
    sim.faults.clear()
    assert client.auth_test()["ok"]


def test_settle_waits_for_quiet(client, sim):
    client.auth_test()
    started = time.monotonic()
    sim.settle(quiet=0.2)
    assert time.monotonic() - started >= 0.15
    with pytest.raises(TimeoutError, match="alice"):
        sim.wait_for(lambda: False, timeout=0.05, what="alice to see a DM")
    assert sim.wait_for(lambda: 42, timeout=0.05) == 42


def mrkdwn(text: str, **extra) -> list:
    return [{"type": "section", "text": {"type": "mrkdwn", "text": text, **extra}}]


def plain(text: str) -> list:
    return [{"type": "section", "text": {"type": "plain_text", "text": text}}]


@pytest.mark.parametrize(
    ("kwargs", "targets"),
    [
        ({"text": "<!channel> checkout down"}, ["channel"]),
        ({"text": "fallback", "blocks": mrkdwn("<!channel> checkout down")}, ["channel"]),
        ({"text": "fallback", "blocks": mrkdwn("&lt;!channel&gt; is escaped")}, []),
        ({"text": "fallback", "blocks": plain("<!channel> in plain text")}, []),
        ({"text": "<!here|here> and <!everyone>"}, ["here", "everyone"]),
        ({"text": "paging <!subteam^S0ONCALL1|@oncall>"}, ["S0ONCALL1"]),
        ({"text": "<@U0ALICE0001> and <@U0ALICE0001|alice>"}, ["U0ALICE0001"]),
        ({"text": "plain @here and @channel"}, []),
        ({"text": "plain @here and @channel", "link_names": True}, ["here", "channel"]),
        ({"text": "mail ops@here.com", "link_names": True}, []),
        (
            {
                "text": "fallback",
                "blocks": [
                    {
                        "type": "rich_text",
                        "elements": [
                            {
                                "type": "rich_text_section",
                                "elements": [{"type": "broadcast", "range": "here"}],
                            }
                        ],
                    }
                ],
            },
            ["here"],
        ),
    ],
)
def test_pings(client, sim, people, kwargs, targets):
    ts = client.chat_postMessage(channel=people["general"], **kwargs)["ts"]
    assert [(p.channel, p.ts, p.target) for p in sim.pings] == [
        (people["general"], ts, t) for t in targets
    ]


def test_human_mentions_ping_too(sim, people):
    sim.post_as_user(people["alice"], people["general"], f"<@{people['bob']}> can you look?")
    assert [(p.target, p.by) for p in sim.pings] == [(people["bob"], people["alice"])]


def test_latency_delays_every_call_and_calls_overlap(sim, people):
    """A slow Slack (`latency`) answers each call late, but not one call after another."""
    from concurrent.futures import ThreadPoolExecutor

    sim.faults.latency = 0.2
    client = WebClient(token=sim.bot_token, base_url=sim.api_url)
    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: client.auth_test()["ok"], range(8)))
    took = time.monotonic() - started
    assert answers == [True] * 8
    assert 0.2 <= took < 8 * 0.2


def test_a_burst_of_connections_waits_to_be_accepted_instead_of_being_refused():
    """200 connections at once while no request is being accepted: the standard library's
    backlog of 5 would leave most of them unanswered (reset or timed out under load)."""
    import socket

    from app.simulator.faults import Faults
    from app.simulator.server import SimServer
    from app.simulator.state import Workspace

    server = SimServer(Workspace(None, None), Faults())  # bound and listening, not serving
    host, port = server.httpd.server_address[:2]
    sockets = []
    try:
        for _ in range(200):
            sockets.append(socket.create_connection((host, port), timeout=0.5))
    finally:
        for s in sockets:
            s.close()
        server.httpd.server_close()
    assert len(sockets) == 200
