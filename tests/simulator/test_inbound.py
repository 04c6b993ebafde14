"""Requests the simulator sends to the app (signed), and what people see as a result."""

from __future__ import annotations

import json
import time

import pytest
from slack_sdk.webhook import WebhookClient

from app.simulator import SlackSimulator
from app.simulator.inbound import sign
from tests.simulator.conftest import SECRET, Receiver, shared_path
from tests.simulator.test_submissions import FORM


def test_signer_reproduces_the_published_test_vector():
    vector = json.loads((shared_path() / "payloads" / "signature_test_vector.json").read_text())
    signature = sign(
        vector["signing_secret"], vector["x_slack_request_timestamp"], vector["raw_body"].encode()
    )
    assert signature == vector["x_slack_signature"]


def test_slash_command_is_signed_and_realistic(sim, receiver, people):
    answer = sim.slash_command(people["alice"], people["general"], "db is slow")
    assert answer.status == 200 and answer.elapsed_ms > 0 and answer.problem is None
    request = receiver.requests[-1]
    assert request["valid"] is True
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert request["headers"]["X-Slack-Signature"].startswith("v0=")
    form = request["form"]
    assert form["command"] == "/esc" and form["text"] == "db is slow"
    assert form["user_id"] == people["alice"] and form["user_name"] == "alice"
    assert form["channel_id"] == people["general"] and form["channel_name"] == "general"
    assert form["team_id"] == sim.team_id and form["api_app_id"] == sim.app_id
    assert form["response_url"].startswith(sim.api_url.replace("/api/", "/response/"))
    assert form["trigger_id"] in sim.ws.triggers


def test_bad_and_stale_signatures_get_401(sim, receiver):
    body = b"token=x&command=%2Fesc"
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(int(time.time())),
        "X-Slack-Signature": "v0=" + "0" * 64,
    }
    assert sim.send_raw(body, headers).status == 401
    stale = str(int(time.time()) - 301)
    headers.update(
        {"X-Slack-Request-Timestamp": stale, "X-Slack-Signature": sign(SECRET, stale, body)}
    )
    assert sim.send_raw(body, headers).status == 401
    fresh = str(int(time.time()))
    headers.update(
        {"X-Slack-Request-Timestamp": fresh, "X-Slack-Signature": sign(SECRET, fresh, body)}
    )
    assert sim.send_raw(body, headers).status == 200


def test_a_simulator_with_another_secret_is_rejected(receiver, people):
    with SlackSimulator("wrong-secret") as other:
        other.connect(receiver.url)
        alice = other.add_user("alice")
        channel = other.add_channel("general", members=[alice])
        answer = other.slash_command(alice, channel)
        assert answer.status == 401 and answer.problem == "app answered HTTP 401"


def test_click_on_a_message_and_response_url(sim, client, receiver, people):
    general, alice = people["general"], people["alice"]
    button = {
        "type": "button",
        "action_id": "ack",
        "value": "esc-1",
        "text": {"type": "plain_text", "text": "Acknowledge"},
    }
    posted = client.chat_postMessage(
        channel=general, text="New escalation", blocks=[{"type": "actions", "elements": [button]}]
    )
    answer = sim.click(alice, "ack", channel_id=general, ts=posted["ts"])
    assert answer.status == 200
    payload = receiver.requests[-1]["payload"]
    assert payload["type"] == "block_actions"
    assert payload["container"] == {
        "type": "message",
        "message_ts": posted["ts"],
        "channel_id": general,
        "is_ephemeral": False,
    }
    assert payload["channel"] == {"id": general, "name": "general"}
    assert payload["message"]["ts"] == posted["ts"]
    action = payload["actions"][0]
    assert action["action_id"] == "ack" and action["value"] == "esc-1"
    assert (
        action["type"] == "button"
        and action["block_id"] == posted["message"]["blocks"][0]["block_id"]
    )

    hook = WebhookClient(payload["response_url"])
    assert hook.send(text="Acknowledged by alice", replace_original=True).status_code == 200
    assert sim.message(general, posted["ts"])["text"] == "Acknowledged by alice"
    assert hook.send(text="Only you see this").status_code == 200
    assert hook.send(text="Everyone sees this", response_type="in_channel").status_code == 200
    assert hook.send(text="four").status_code == 200
    assert hook.send(text="five").status_code == 200
    assert hook.send(text="six").status_code == 404  # at most 5 uses
    assert [o.kind for o in sim.seen_by(people["bob"])] == [
        "message",
        "message_updated",
        "response",
    ]
    alice_kinds = [o.kind for o in sim.seen_by(alice)]
    assert alice_kinds == [
        "message",
        "message_updated",
        "response",
        "response",
        "response",
        "response",
    ]


def test_response_url_can_delete_the_original(sim, client, receiver, people):
    general = people["general"]
    button = {"type": "button", "action_id": "done", "text": {"type": "plain_text", "text": "Done"}}
    ts = client.chat_postMessage(
        channel=general, text="todo", blocks=[{"type": "actions", "elements": [button]}]
    )["ts"]
    sim.click(people["bob"], "done", channel_id=general, ts=ts)
    hook = WebhookClient(receiver.requests[-1]["payload"]["response_url"])
    assert hook.send(text="", delete_original=True).status_code == 200
    assert sim.message(general, ts) is None
    assert sim.observations[-1].kind == "message_deleted"


def test_ack_body_of_a_slash_command_is_shown(sim, receiver, people):
    receiver.handler = lambda r: (200, {"text": "Working on it"})
    sim.slash_command(people["alice"], people["general"])
    receiver.handler = lambda r: (200, {"text": "Escalated", "response_type": "in_channel"})
    sim.slash_command(people["alice"], people["general"])
    assert [(o.kind, o.text) for o in sim.seen_by(people["alice"])] == [
        ("response", "Working on it"),
        ("response", "Escalated"),
    ]
    assert [(o.kind, o.text) for o in sim.seen_by(people["bob"])] == [("response", "Escalated")]


def test_shortcuts_and_app_home(sim, client, receiver, people):
    general, alice = people["general"], people["alice"]
    ts = sim.post_as_user(alice, general, "payments are failing")
    sim.message_shortcut(alice, general, ts, "escalate_message")
    payload = receiver.requests[-1]["payload"]
    assert payload["type"] == "message_action" and payload["callback_id"] == "escalate_message"
    assert payload["message"]["text"] == "payments are failing" and payload["message_ts"] == ts
    sim.global_shortcut(alice, "new_escalation")
    payload = receiver.requests[-1]["payload"]
    assert payload["type"] == "shortcut" and payload["user"]["id"] == alice
    assert client.views_open(trigger_id=payload["trigger_id"], view=FORM)["ok"]

    sim.open_app_home(alice)
    envelope = receiver.requests[-1]["json"]
    assert envelope["type"] == "event_callback" and envelope["event_id"].startswith("Ev")
    assert envelope["event"]["type"] == "app_home_opened"
    assert envelope["event"]["channel"] == sim.dm_channel(alice)


def test_seen_by_visibility(sim, client, people):
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    private = sim.add_channel("sec-incident", is_private=True, members=[alice])
    client.chat_postMessage(channel=private, text="private")
    client.chat_postMessage(channel=people["general"], text="public")
    client.chat_postMessage(channel=carol, text="dm to carol")
    client.chat_postEphemeral(channel=people["general"], user=bob, text="bob only")
    client.conversations_invite(channel=private, users=carol)
    client.views_publish(user_id=bob, view={"type": "home", "blocks": [{"type": "divider"}]})
    texts = {u: [(o.kind, o.text) for o in sim.seen_by(u)] for u in (alice, bob, carol)}
    assert texts[alice] == [("message", "private"), ("message", "public"), ("invited", None)]
    assert texts[bob] == [
        ("message", "public"),
        ("ephemeral", "bob only"),
        ("home_published", None),
    ]
    # carol joined the private channel, so its history is now visible to her
    assert texts[carol] == [("message", "private"), ("dm", "dm to carol"), ("invited", None)]


def test_receiver_is_required(sim, people):
    with pytest.raises(RuntimeError, match="connect"):
        sim.slash_command(people["alice"], people["general"])


def test_unreachable_app_raises(sim, people):
    idle = Receiver(SECRET)
    url = idle.url
    idle.stop()
    sim.connect(url)
    with pytest.raises(ConnectionError):
        sim.slash_command(people["alice"], people["general"])
