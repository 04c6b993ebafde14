"""Signatures, the 5-minute window, escaping and health."""

import json
import time
import urllib.request
from urllib.parse import urlencode

from alembic.script import ScriptDirectory
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import func, select

from app.db import MIGRATIONS
from app.models import Ticket
from tests.e2e.conftest import SECRET
from tests.e2e.test_intake import open_via_command


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
    assert len(sim.calls) == calls
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
