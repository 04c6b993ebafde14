"""The simulator's Web API checked against published Slack artefacts in ../shared/slack.

For every method in app.simulator.web_api.METHODS:
- it exists in slack-api-ref (docs.slack.dev scrape) and each of its required args is required;
- every error code it can return is in the ref's `errors` for that method or generic;
- a successful answer uses only keys real Slack returns (java-slack-sdk key-set samples,
  recursively), and an error answer too.
"""

from __future__ import annotations

import json
from functools import cache
from urllib.request import Request, urlopen

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from app.simulator.web_api import GENERIC_ERRORS, METHODS
from tests.simulator.conftest import shared_path

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
        }
    ],
}
HOME = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Hi"}}]}


@cache
def ref(method: str) -> dict:
    path = shared_path() / "slack-api-ref" / "docs.slack.dev" / "methods" / f"{method}.json"
    return json.loads(path.read_text()) if path.is_file() else {}


@cache
def sample(method: str) -> dict | None:
    path = shared_path() / "payloads" / "java-slack-sdk-samples" / "api" / f"{method}.json"
    return json.loads(path.read_text()) if path.is_file() else None


def merge(a, b):
    """Union of two key-set samples."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = dict(a)
        for key, value in b.items():
            out[key] = merge(out[key], value) if key in out else value
        return out
    if isinstance(a, list) and isinstance(b, list):
        return a + b
    return a if a is not None else b


def allowed_shape(method: str) -> dict:
    """The java sample; for methods it lacks, the ref's success examples and output keys, with
    nested objects taken from the closest java sample."""
    if method == "conversations.info":  # the channel's properties as the other samples show
        channel = sample("conversations.list")["channels"][0]
        return merge(
            sample(method), {"channel": merge(channel, sample("conversations.join")["channel"])}
        )
    if sample(method) is not None:
        return sample(method)
    doc = ref(method)
    shape: dict = {"ok": True, "error": "", "warning": "", "response_metadata": {}}
    for example in (doc.get("examples") or {}).values():
        if example.get("example", {}).get("ok"):
            shape = merge(shape, example["example"])
    for key in (doc.get("output") or {}).get("properties") or {}:
        shape.setdefault(key, None)
    borrowed = {
        "message": sample("chat.postMessage")["message"],
        "view": sample("views.open")["view"],
        "channel": merge(sample("conversations.info")["channel"], {}),
    }
    for key, nested in borrowed.items():
        if key in shape:
            own = shape[key] if isinstance(shape[key], dict) else {}
            shape[key] = merge(nested, own)
    if method == "conversations.open":
        shape["channel"] = merge(shape["channel"], sample("conversations.list")["channels"][0])
    return shape


def extra_keys(actual, allowed, path: str = "") -> list[str]:
    """Keys in `actual` that the sample never shows. An empty sample object means "unknown"."""
    if isinstance(actual, dict) and isinstance(allowed, dict):
        if not allowed:
            return []
        found = []
        for key, value in actual.items():
            if key not in allowed:
                found.append(path + key)
            else:
                found += extra_keys(value, allowed[key], f"{path}{key}.")
        return found
    if isinstance(actual, list) and isinstance(allowed, list):
        union: object = None
        for item in allowed:
            union = merge(union, item)
        return [k for item in actual for k in extra_keys(item, union, f"{path}[].")]
    return []


def world(sim, client: WebClient) -> dict:
    alice = sim.add_user("alice", email="alice@example.com")
    bob = sim.add_user("bob")
    general = sim.add_channel("general", members=[alice])
    lobby = sim.add_channel("lobby", members=[alice], bot_member=False)
    ts = client.chat_postMessage(channel=general, text="hello")["ts"]
    return {"alice": alice, "bob": bob, "general": general, "lobby": lobby, "ts": ts}


def valid_args(method: str, sim, client: WebClient, w: dict) -> dict:
    """Arguments that succeed, after setting up whatever the call needs."""
    ch, ts, alice = w["general"], w["ts"], w["alice"]
    if method == "views.push":
        client.views_open(trigger_id=sim.issue_trigger(alice), view=MODAL)
    if method == "views.update":
        w["view_id"] = client.views_open(trigger_id=sim.issue_trigger(alice), view=MODAL)["view"][
            "id"
        ]
    if method == "pins.remove":
        client.pins_add(channel=ch, timestamp=ts)
    if method == "conversations.unarchive":
        client.conversations_archive(channel=ch)
    if method == "reactions.remove":
        client.reactions_add(channel=ch, timestamp=ts, name="eyes")
    if method == "files.completeUploadExternal":
        upload = client.files_getUploadURLExternal(filename="chart.png", length=3)
        assert urlopen(Request(upload["upload_url"], data=b"png", method="POST")).status == 200
        w["file"] = upload["file_id"]
    if method in ("canvases.edit", "conversations.info"):  # a tab and the channel canvas
        doc = {"type": "markdown", "markdown": "# Review"}
        w["canvas"] = client.api_call(
            "canvases.create", json={"title": "Review", "document_content": doc, "channel_id": ch}
        )["canvas_id"]
        client.api_call("conversations.canvases.create", json={"channel_id": ch})
    if method == "bookmarks.remove":
        link = "https://example.com"
        added = client.bookmarks_add(channel_id=ch, title="Doc", type="link", link=link)
        w["bookmark"] = added["bookmark"]["id"]
    table = {
        "auth.test": {},
        "chat.postMessage": {"channel": ch, "text": "hi", "blocks": HOME["blocks"]},
        "chat.update": {"channel": ch, "ts": ts, "text": "edited"},
        "chat.postEphemeral": {"channel": ch, "user": alice, "text": "psst"},
        "chat.delete": {"channel": ch, "ts": ts},
        "chat.getPermalink": {"channel": ch, "message_ts": ts},
        "conversations.create": {"name": "inc-42", "is_private": True},
        "conversations.invite": {"channel": ch, "users": w["bob"]},
        "conversations.open": {"users": alice, "return_im": True},
        "conversations.info": {"channel": ch, "include_num_members": True},
        "conversations.members": {"channel": ch},
        "conversations.join": {"channel": w["lobby"]},
        "conversations.setTopic": {"channel": ch, "topic": "Incident"},
        "conversations.archive": {"channel": ch},
        "conversations.rename": {"channel": ch, "name": "inc-43"},
        "conversations.setPurpose": {"channel": ch, "purpose": "Incident"},
        "conversations.unarchive": {"channel": ch},
        "conversations.list": {"types": "public_channel,private_channel,im"},
        "conversations.history": {"channel": ch, "limit": 10, "include_all_metadata": True},
        "conversations.replies": {"channel": ch, "ts": ts},
        "files.getUploadURLExternal": {"filename": "chart.png", "length": 3},
        "files.completeUploadExternal": {
            "files": [{"id": w.get("file"), "title": "Chart"}],
            "channel_id": ch,
            "initial_comment": "Weekly report",
        },
        "pins.add": {"channel": ch, "timestamp": ts},
        "pins.remove": {"channel": ch, "timestamp": ts},
        "bookmarks.add": {"channel_id": ch, "title": "Doc", "type": "link", "link": "https://x.io"},
        "bookmarks.list": {"channel_id": ch},
        "bookmarks.remove": {"channel_id": ch, "bookmark_id": w.get("bookmark")},
        "reactions.add": {"channel": ch, "timestamp": ts, "name": "eyes"},
        "reactions.remove": {"channel": ch, "timestamp": ts, "name": "eyes"},
        "users.info": {"user": alice},
        "users.lookupByEmail": {"email": "alice@example.com"},
        "views.open": {"trigger_id": sim.issue_trigger(alice), "view": MODAL},
        "views.push": {"trigger_id": sim.issue_trigger(alice), "view": MODAL},
        "views.update": {"view_id": w.get("view_id"), "view": MODAL},
        "views.publish": {"user_id": alice, "view": HOME},
        "canvases.create": {
            "title": "Review",
            "document_content": {"type": "markdown", "markdown": "# Review"},
            "channel_id": ch,
        },
        "conversations.canvases.create": {
            "channel_id": ch,
            "title": "Review",
            "document_content": {"type": "markdown", "markdown": "# Review"},
        },
        "canvases.edit": {
            "canvas_id": w.get("canvas"),
            "changes": [
                {"operation": "replace", "document_content": {"type": "markdown", "markdown": "x"}}
            ],
        },
    }
    return table[method]


ALL = sorted(METHODS)


def call(client: WebClient, name: str, args: dict):
    """The answer whether ok or not (slack_sdk raises SlackApiError on ok=false)."""
    try:
        return client.api_call(name, json=args)
    except SlackApiError as exc:
        return exc.response


def test_registry_covers_the_brief():
    wanted = {
        "auth.test",
        "chat.postMessage",
        "chat.update",
        "chat.postEphemeral",
        "chat.delete",
        "chat.getPermalink",
        "conversations.create",
        "conversations.invite",
        "conversations.open",
        "conversations.info",
        "conversations.members",
        "conversations.join",
        "conversations.setTopic",
        "conversations.archive",
        "conversations.list",
        "pins.add",
        "pins.remove",
        "bookmarks.add",
        "bookmarks.list",
        "bookmarks.remove",
        "reactions.add",
        "reactions.remove",
        "users.info",
        "users.lookupByEmail",
        "views.open",
        "views.push",
        "views.update",
        "views.publish",
    }
    assert wanted <= set(METHODS)


@pytest.mark.parametrize("name", ALL)
def test_method_is_documented_and_its_errors_are_known(name):
    doc = ref(name)
    assert doc, f"{name} is not in slack-api-ref/docs.slack.dev/methods"
    spec = METHODS[name]
    unknown = spec.errors - set(doc.get("errors") or {}) - GENERIC_ERRORS
    assert not unknown, f"{name} can return codes Slack does not document: {sorted(unknown)}"
    required = set(doc["args"].get("required") or []) - {"token"}
    assert required <= set(spec.required), f"{name}: ref requires {sorted(required)}"


@pytest.mark.parametrize("name", ALL)
def test_required_args_missing_fail_and_success_keys_are_real(name, sim, client):
    w = world(sim, client)
    args = valid_args(name, sim, client, w)
    spec = METHODS[name]
    documented = set(ref(name).get("errors") or {}) | GENERIC_ERRORS
    for arg in set(ref(name)["args"].get("required") or []) - {"token"}:
        answer = call(client, name, {k: v for k, v in args.items() if k != arg})
        assert answer.status_code == 200
        data = answer.data
        assert data["ok"] is False, f"{name} without {arg} succeeded"
        assert data["error"] == spec.missing_error(arg)
        assert data["error"] in documented
        assert not extra_keys(data, allowed_shape(name))

    answer = client.api_call(name, json=args)
    assert answer["ok"] is True, answer.data
    extra = extra_keys(answer.data, allowed_shape(name))
    assert not extra, f"{name} answered keys real Slack never returns: {extra}"


@pytest.mark.parametrize("name", ["chat.postMessage", "conversations.invite", "views.open"])
def test_form_encoded_bodies_work_too(name, sim, client):
    w = world(sim, client)
    args = valid_args(name, sim, client, w)
    form = {k: json.dumps(v) if isinstance(v, (dict, list)) else v for k, v in args.items()}
    assert client.api_call(name, data=form)["ok"] is True


OPENAPI_CHECKED = [  # README §2: the 2020 schemas whose own examples pass for these methods
    "auth.test",
    "chat.postEphemeral",
    "conversations.create",
    "conversations.invite",
    "conversations.info",
    "pins.add",
    "users.lookupByEmail",
    "views.open",
    "views.publish",
]


def _relaxed(node):
    if isinstance(node, dict):
        return {
            k: _relaxed(v)
            for k, v in node.items()
            if not (k == "additionalProperties" and v is False) and k != "required"
        }
    if isinstance(node, list):
        return [_relaxed(v) for v in node]
    if isinstance(node, str) and node.startswith("#/definitions/"):
        return "urn:slack" + node
    return node


@pytest.mark.parametrize("name", OPENAPI_CHECKED)
def test_success_answers_fit_the_2020_openapi_schema_relaxed(name, sim, client):
    from jsonschema import Draft4Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    spec = json.loads((shared_path() / "slack_web_openapi_v2.json").read_text())
    registry = Registry().with_resource(
        "urn:slack", Resource.from_contents(_relaxed(spec), default_specification=DRAFT4)
    )
    operation = next(iter(spec["paths"][f"/{name}"].values()))
    schema = _relaxed(operation["responses"]["200"]["schema"])
    w = world(sim, client)
    data = client.api_call(name, json=valid_args(name, sim, client, w)).data
    Draft4Validator(schema, registry=registry).validate(data)
