"""Signatures, the 5-minute window, escaping and health."""

import hashlib
import hmac
import json
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

from alembic.script import ScriptDirectory
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import func, select

from app.db import MIGRATIONS
from app.models import Ticket
from tests.e2e.conftest import SECRET
from tests.e2e.test_intake import open_via_command

FORM = "application/x-www-form-urlencoded"


def signed_command(text: str, *, timestamp: int, secret: str = SECRET):
    body = urlencode(
        {
            "command": "/esc",
            "text": text,
            "user_id": "U0HW88GQ274",
            "channel_id": "C0LYPHTPUTJ",
            "trigger_id": "123.456.abc",
            "team_id": "T0TEST",
            "response_url": "http://127.0.0.1:9/x",
        }
    ).encode()
    signature = SignatureVerifier(secret).generate_signature(timestamp=str(timestamp), body=body)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": signature,
    }
    return body, headers


def test_bad_signature_and_stale_timestamp_are_refused_without_side_effects(web, sim, sessions):
    with sessions() as db:
        before = db.scalar(select(func.count()).select_from(Ticket))
    sim.settle()
    calls = len(sim.calls)
    for body, headers in (
        signed_command("new Sneaky", timestamp=int(time.time()), secret="wrong-secret"),
        signed_command("new Sneaky", timestamp=int(time.time()) - 301),
    ):
        assert sim.send_raw(body, headers).status == 401
    sim.settle()
    # Nothing these requests asked for happened (an earlier test's late delivery may still
    # reach the simulator on a loaded machine: that is not theirs).
    theirs = [c for c in sim.calls[calls:] if c.method == "views.open" or "Sneaky" in str(c.args)]
    assert theirs == []
    with sessions() as db:
        assert db.scalar(select(func.count()).select_from(Ticket)) == before


def test_fresh_signature_is_accepted(web, sim):
    body, headers = signed_command("help", timestamp=int(time.time()))
    assert sim.send_raw(body, headers).status == 200


def test_typed_mentions_never_ping_or_link(web, sim, ws, sessions):
    hostile = "<!channel> <!here> @everyone <!subteam^S00T32F0VMY> <@U0B86WV4WH7> <https://x.example|bank>"
    pings = len(sim.pings)
    _, ticket = open_via_command(
        sim,
        ws,
        sessions,
        ws.users["amara.okafor"],
        "Help @here",
        description=hostile,
        impact=hostile,
        business_rationale=hostile,
    )
    sim.settle()
    forged = {"channel", "here", "everyone", "S00T32F0VMY", "U0B86WV4WH7"}
    new = sim.pings[pings:]
    assert [p for p in new if p.target in forged] == []
    # The only mention is the one Relay makes itself: the reporter on the card.
    assert {p.target for p in new} == {ws.users["amara.okafor"]}
    card = json.dumps(sim.message(ticket.card_channel, ticket.card_ts))
    assert "&lt;!channel&gt;" in card and "<!channel>" not in card
    assert "<https://x.example|bank>" not in card


def test_healthz_reports_the_database(web):
    with urllib.request.urlopen(web + "/healthz") as answer:
        health = json.loads(answer.read())
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert health["ok"] is True and health["database"]["revision"] == head


# -- malformed requests, replays and retried events ----------------------------------------


def raw_signature(timestamp: str, body: bytes, secret: str = SECRET) -> str:
    """X-Slack-Signature over raw bytes (slack_sdk's helper needs UTF-8)."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed(body: bytes, content_type: str, *, timestamp: str | None = None, **headers):
    timestamp = timestamp or str(int(time.time()))
    return body, {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": raw_signature(timestamp, body),
        **headers,
    }


def calls_and_tickets(sim, sessions):
    sim.settle()
    with sessions() as db:
        return len(sim.calls), db.scalar(select(func.count()).select_from(Ticket))


def test_malformed_requests_get_a_4xx_without_a_traceback_or_side_effect(web, sim, sessions):
    now = str(int(time.time()))
    latin1 = "command=/esc&text=new caf\xe9".encode("latin-1")
    cases = {
        "unsigned, not UTF-8": (latin1, {"Content-Type": FORM, "X-Slack-Request-Timestamp": now}),
        "signed, not UTF-8": signed(latin1, FORM),
        "payload is not JSON": signed(b"payload=%7Bnot-json", FORM),
        "JSON body is a list": signed(b"[]", "application/json"),
        "JSON payload is a list": signed(b"payload=%5B%5D", FORM),
        "timestamp is not a number": signed(b"command=/esc&text=help", FORM, timestamp="abc"),
    }
    before = calls_and_tickets(sim, sessions)
    for case, (body, headers) in cases.items():
        answer = sim.send_raw(body, headers)
        assert answer.status in (400, 401), f"{case}: HTTP {answer.status} {answer.body[:200]}"
        assert "Traceback" not in answer.body and "Error" not in answer.body, case
    assert calls_and_tickets(sim, sessions) == before


def new_command(sim, ws, user, text):
    """A fresh /esc command body as Slack would sign it (its own trigger id)."""
    fields = {
        "token": "t",
        "team_id": "T0TEST",
        "channel_id": ws.channels["support"],
        "user_id": user,
        "command": "/esc",
        "text": text,
        "response_url": "http://127.0.0.1:9/unused",
        "trigger_id": sim.issue_trigger(user),
    }
    return urlencode(fields).encode()


def test_a_replayed_request_is_acknowledged_and_changes_nothing(web, sim, ws):
    user = ws.users["tom.hughes"]
    body, headers = signed(new_command(sim, ws, user, "new Replayed outage"), FORM)
    opens = lambda: len([c for c in sim.calls if c.method == "views.open"])  # noqa: E731
    sim.settle()
    before = opens()
    assert sim.send_raw(body, headers).status == 200
    sim.wait_for(lambda: opens() == before + 1, what="the modal to open")
    # The same signed bytes again, several at once so that both web workers see them.
    with ThreadPoolExecutor(max_workers=6) as pool:
        replies = list(pool.map(lambda _: sim.send_raw(body, headers), range(6)))
    assert [(r.status, r.body) for r in replies] == [(200, "")] * 6
    sim.settle()
    assert opens() == before + 1


def test_a_retried_event_is_handled_once(web, sim, ws):
    user = ws.users["priya.shah"]
    publishes = lambda: len([c for c in sim.calls if c.method == "views.publish"])  # noqa: E731
    sim.settle()
    before = publishes()
    first = sim.open_app_home(user)
    assert first.status == 200
    sim.wait_for(lambda: publishes() == before + 1, what="the home tab")
    envelope = json.dumps(first.payload).encode()
    for attempt in ("1", "2"):  # Slack signs each retry afresh; the event id is what repeats
        retry = sim.send_raw(
            *signed(envelope, "application/json", **{"X-Slack-Retry-Num": attempt})
        )
        assert (retry.status, retry.body) == (200, "")
    sim.settle()
    assert publishes() == before + 1
