"""Inbound payloads and Block Kit handling checked against published artefacts in ../shared/slack.

- every payload key the simulator sends appears in Slack's own samples (bolt-python fixtures and
  java-slack-sdk key-set samples), recursively for nested objects;
- event_callback envelopes validate against slack_common_event_wrapper_schema.json;
- every valid slackblocks fixture is accepted, and our limits match limits.json.
"""

from __future__ import annotations

import json

import pytest

from app.simulator import blockkit
from tests.simulator.conftest import shared_path
from tests.simulator.test_contract_web_api import extra_keys, merge, sample


def load(*parts: str):
    return json.loads(shared_path().joinpath(*parts).read_text())


def allowed(bolt: list[str], java: list[str]) -> dict:
    shape: dict = {}
    for name in bolt:
        shape = merge(shape, load("payloads", "bolt-python", name))
    for name in java:
        shape = merge(shape, load("payloads", "java-slack-sdk-samples", name))
    return shape


BUTTON = {
    "type": "button",
    "action_id": "ack",
    "value": "1",
    "text": {"type": "plain_text", "text": "Ack"},
}
MODAL = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "Escalate"},
    "submit": {"type": "plain_text", "text": "Send"},
    "blocks": [
        {
            "type": "input",
            "block_id": "summary",
            "label": {"type": "plain_text", "text": "Summary"},
            "element": {"type": "plain_text_input", "action_id": "text"},
        },
        {"type": "actions", "elements": [BUTTON]},
    ],
}


@pytest.fixture
def scene(sim, client, receiver, people):
    shared_path()
    ts = client.chat_postMessage(
        channel=people["general"],
        text="Escalation",
        blocks=[{"type": "actions", "elements": [BUTTON]}],
    )["ts"]
    return {**people, "ts": ts}


def sent(receiver, key: str = "payload") -> dict:
    return receiver.requests[-1][key]


def test_slash_command_fields(sim, receiver, scene):
    sim.slash_command(scene["alice"], scene["general"], "hello")
    fields = sent(receiver, "form")
    shape = allowed(
        ["slash_command.parsed.json"], ["app-backend/slash-commands/SlashCommandPayload.json"]
    )
    assert set(fields) <= set(shape)


def test_block_actions_on_a_message(sim, receiver, scene):
    sim.click(scene["alice"], "ack", channel_id=scene["general"], ts=scene["ts"])
    payload = sent(receiver)
    shape = allowed(
        ["block_actions.json"], ["app-backend/interactive-components/BlockActionPayload.json"]
    )
    shape["message"] = sample("chat.postMessage")["message"]
    assert extra_keys(payload, shape) == []


def test_block_actions_and_submission_in_a_view(sim, client, receiver, scene):
    alice = scene["alice"]
    client.views_open(trigger_id=sim.issue_trigger(alice), view=MODAL)
    view_shape = sample("views.open")["view"]
    sim.click(alice, "ack")
    shape = allowed(
        ["block_actions.json"], ["app-backend/interactive-components/BlockActionPayload.json"]
    )
    shape["view"] = view_shape
    assert extra_keys(sent(receiver), shape) == []
    sim.submit_view(alice, {"text": "hi"})
    shape = allowed(
        ["view_submission.json", "view_submission_with_response_urls.json"],
        ["app-backend/views/ViewSubmissionPayload.json"],
    )
    shape["view"] = merge(view_shape, {"state": {"values": {}}})
    assert extra_keys(sent(receiver), shape) == []


def test_shortcuts(sim, receiver, scene):
    sim.message_shortcut(scene["alice"], scene["general"], scene["ts"], "escalate")
    shape = allowed(
        ["shortcut_message.json"],
        ["app-backend/interactive-components/MessageShortcutPayload.json"],
    )
    shape["message"] = sample("chat.postMessage")["message"]
    assert extra_keys(sent(receiver), shape) == []
    sim.global_shortcut(scene["alice"], "new")
    envelopes = load("payloads", "bolt-python", "socket_mode_envelopes.json")
    shape = merge(load("payloads", "bolt-python", "shortcut_global.json"), envelopes[0]["payload"])
    assert extra_keys(sent(receiver), shape) == []


def test_app_home_opened_envelope(sim, client, receiver, scene):
    from jsonschema import Draft7Validator

    home = {"type": "home", "blocks": [{"type": "divider"}]}
    client.views_publish(user_id=scene["alice"], view=home)
    sim.open_app_home(scene["alice"])
    envelope = sent(receiver, "json")
    Draft7Validator(load("slack_common_event_wrapper_schema.json")).validate(envelope)
    shape = allowed(["event_callback_app_home_opened.json"], ["events/AppHomeOpenedPayload.json"])
    shape["event"]["view"] = sample("views.publish")["view"]
    assert extra_keys(envelope, shape) == []


def fixtures(kind: str) -> list:
    try:
        folder = shared_path() / "block-kit" / "slackblocks-spec" / "fixtures" / "valid" / kind
    except pytest.skip.Exception as exc:
        return [pytest.param(None, id="absent", marks=pytest.mark.skip(reason=str(exc)))]
    return [pytest.param(path, id=path.stem) for path in sorted(folder.glob("*.json"))]


@pytest.mark.parametrize("path", fixtures("blocks"))
def test_valid_block_fixtures_are_accepted(client, people, path):
    block = json.loads(path.read_text())
    assert client.chat_postMessage(channel=people["general"], text="t", blocks=[block])["ok"]


@pytest.mark.parametrize("path", fixtures("views"))
def test_valid_view_fixtures_are_accepted(sim, client, people, path):
    view = json.loads(path.read_text())
    if view["type"] == "home":
        assert client.views_publish(user_id=people["alice"], view=view)["ok"]
    else:
        trigger = sim.issue_trigger(people["alice"])
        assert client.views_open(trigger_id=trigger, view=view)["ok"]


def test_limits_match_limits_json():
    limits = load("block-kit", "slackblocks-spec", "limits.json")["view"]
    assert limits["blocks"]["max_items"] == blockkit.VIEW_BLOCKS
    for key in blockkit.TEXT_LIMIT_24:
        assert limits[key]["max_length"] == 24
    assert limits["private_metadata"]["max_length"] == 3000
    assert limits["callback_id"]["max_length"] == 255


@pytest.mark.parametrize(
    ("gesture", "sample_file"),
    [("react", "events/ReactionAddedPayload.json"), ("pin", "events/PinAddedPayload.json")],
)
def test_reaction_and_pin_events_and_their_redelivery(sim, receiver, scene, gesture, sample_file):
    """reaction_added / pin_added as Slack's samples shape them; a redelivery is the same
    envelope (same event_id), validly signed afresh, with Slack's retry headers."""
    from jsonschema import Draft7Validator

    args = ("pushpin",) if gesture == "react" else ()
    answer = getattr(sim, gesture)(scene["alice"], scene["general"], scene["ts"], *args, retries=2)
    assert answer.status == 200 and len(answer.retried) == 2
    first, *again = receiver.requests[-3:]
    envelope = first["json"]
    Draft7Validator(load("slack_common_event_wrapper_schema.json")).validate(envelope)
    shape = allowed([], [sample_file])
    shape["authed_users"] = [""]  # required by the wrapper schema, absent from the sample
    assert extra_keys(envelope, shape) == []
    assert envelope["event"]["type"] == ("reaction_added" if gesture == "react" else "pin_added")
    for n, request in enumerate(again, start=1):
        assert request["valid"] and request["json"]["event_id"] == envelope["event_id"]
        headers = {k.lower(): v for k, v in request["headers"].items()}
        assert headers["x-slack-retry-num"] == str(n)
        assert headers["x-slack-retry-reason"] == "http_timeout"
    assert "x-slack-retry-num" not in {k.lower() for k in first["headers"]}
