"""Relay's Web API client keeps its connections alive, over HTTPS as Slack serves it too,
and answers and fails exactly as slack_sdk's own client does, so that the outbox tells a
refusal from a lost answer alike."""

import ssl
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from urllib.error import URLError

import pytest
import trustme
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from app.effects.pacing import retry_after
from app.effects.transport import KeptAliveClient
from app.settings import Settings
from app.simulator import SlackSimulator
from app.startup import web_client

CLIENTS = [WebClient, KeptAliveClient]


def client(cls, sim, **options):
    return cls(token=sim.bot_token, base_url=sim.api_url, retry_handlers=[], **options)


def outcome(call):
    """What a call gives: its answer, or the kind of error and what the outbox reads of it."""
    try:
        return ("answer", call().data["ok"])
    except SlackApiError as exc:
        answer = exc.response
        return ("refused", answer.status_code, answer["error"], retry_after(answer))
    except (URLError, TimeoutError, ConnectionError) as exc:
        return ("no answer", isinstance(exc, TimeoutError))


def test_calls_share_one_connection(sim):
    relay = client(KeptAliveClient, sim)
    channel = sim.add_channel("kept")
    before = sim.ws.connections
    for n in range(10):
        relay.chat_postMessage(channel=channel, text=f"post {n}")
    assert sim.ws.connections - before == 1
    assert [m["text"] for m in sim.messages(channel)] == [f"post {n}" for n in range(10)]


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "ratelimit", "retry_after": 7},
        {"kind": "server_error", "status": 503},
        {"kind": "lost"},
        {"kind": "slow", "delay": 1.5},
    ],
    ids=lambda fault: fault["kind"],
)
def test_a_fault_reaches_the_outbox_as_it_would_through_slack_sdk(sim, fault):
    seen = []
    for cls in CLIENTS:
        sim.faults.inject("chat.postMessage", **fault)
        post = client(cls, sim, timeout=1).chat_postMessage
        seen.append(outcome(partial(post, channel=sim.add_channel(cls.__name__), text="hi")))
    assert seen[0] == seen[1]
    expected = {
        "ratelimit": ("refused", 429, "ratelimited", 7),
        "server_error": ("refused", 503, "internal_error", 1),
        "lost": ("no answer", False),
        "slow": ("no answer", True),
    }
    assert seen[1] == expected[fault["kind"]]


def test_a_connection_dropped_between_calls_is_replaced(sim):
    relay = client(KeptAliveClient, sim)
    channel = sim.add_channel("dropped")
    relay.chat_postMessage(channel=channel, text="before")
    sim.faults.inject("chat.postMessage", "lost")  # the server closes this connection
    with pytest.raises(URLError):
        relay.chat_postMessage(channel=channel, text="lost on the way")
    before = sim.ws.connections
    relay.chat_postMessage(channel=channel, text="after")
    assert sim.ws.connections - before == 1
    texts = [m["text"] for m in sim.messages(channel)]
    assert texts == ["before", "lost on the way", "after"]


@pytest.fixture(scope="module")
def authority():
    return trustme.CA()


@pytest.fixture
def https(authority):
    """The simulator over HTTPS, its certificate signed by `authority`."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    with SlackSimulator(tls=context) as sim:
        yield sim


def test_over_https_calls_share_one_connection_and_certificates_are_checked(https, authority):
    trusting = ssl.create_default_context()
    authority.configure_trust(trusting)
    channel = https.add_channel("secure")
    assert https.api_url.startswith("https://")
    relay = client(KeptAliveClient, https, ssl=trusting)
    before = https.ws.connections
    for n in range(5):
        relay.chat_postMessage(channel=channel, text=f"post {n}")
    assert https.ws.connections - before == 1
    for cls in CLIENTS:  # a certificate nobody vouched for: no call goes through
        post = client(cls, https, ssl=ssl.create_default_context()).chat_postMessage
        with pytest.raises(URLError, match="CERTIFICATE_VERIFY_FAILED"):
            post(channel=channel, text="to an impostor")
    assert [m["text"] for m in https.messages(channel)] == [f"post {n}" for n in range(5)]


def test_a_process_keeps_a_connection_for_each_thread_that_calls_slack(sim):
    """Listener threads and delivery threads, as the settings say (the clock has no
    listeners): with fewer, calls at once would open connections only to drop them."""
    settings = Settings(
        _env_file=None, slack_api_url=sim.api_url, listener_threads=5, delivery_threads=3
    )
    sizes = {}
    for mode in ("http", "clock"):
        relay = web_client(settings, sim.bot_token, mode)
        sizes[mode] = relay._pool.connection_pool_kw["maxsize"]
    assert sizes == {"http": 8, "clock": 3}
    channel = sim.add_channel("eight-at-once")
    relay = web_client(settings, sim.bot_token, "http")
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda n: relay.chat_postMessage(channel=channel, text=str(n)), range(8)))
    before = sim.ws.connections
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda n: relay.chat_postMessage(channel=channel, text=str(n)), range(8)))
    assert sim.ws.connections == before, "the second eight reuse the first eight's"
