"""view_submission: state.values per element type, response_action handling, view clicks."""

from __future__ import annotations

import pytest

OPTIONS = [
    {"text": {"type": "plain_text", "text": label}, "value": value}
    for label, value in (("Low", "low"), ("High", "high"), ("Critical", "critical"))
]


def input_block(block_id, element, optional=False) -> dict:
    label = {"type": "plain_text", "text": block_id}
    return {
        "type": "input",
        "block_id": block_id,
        "label": label,
        "element": element,
        "optional": optional,
    }


FORM = {
    "type": "modal",
    "callback_id": "escalate",
    "title": {"type": "plain_text", "text": "Escalate"},
    "submit": {"type": "plain_text", "text": "Send"},
    "blocks": [
        input_block("summary", {"type": "plain_text_input", "action_id": "text"}),
        input_block("severity", {"type": "static_select", "action_id": "pick", "options": OPTIONS}),
        input_block("impact", {"type": "radio_buttons", "action_id": "radio", "options": OPTIONS}),
        input_block("owner", {"type": "users_select", "action_id": "user"}),
        input_block(
            "areas", {"type": "multi_static_select", "action_id": "many", "options": OPTIONS}
        ),
        input_block("flags", {"type": "checkboxes", "action_id": "checks", "options": OPTIONS}),
        input_block(
            "due", {"type": "datepicker", "action_id": "date", "initial_date": "2024-01-02"}
        ),
        input_block("watchers", {"type": "multi_users_select", "action_id": "user"}),
        input_block("notes", {"type": "plain_text_input", "action_id": "notes"}, optional=True),
    ],
}


def open_form(sim, client, user, view=FORM) -> dict:
    return client.views_open(trigger_id=sim.issue_trigger(user), view=view)["view"]


def test_submit_view_builds_state_values_like_slack(sim, client, receiver, people):
    alice, bob = people["alice"], people["bob"]
    view = open_form(sim, client, alice)
    values = {
        "text": "Checkout fails",
        "pick": "high",
        "radio": "critical",
        "owner.user": bob,
        "many": ["low", "critical"],
        "checks": ["high"],
        "watchers.user": [alice, bob],
    }
    answer = sim.submit_view(alice, values)
    assert answer.status == 200 and answer.errors is None
    payload = receiver.requests[-1]["payload"]
    assert payload["type"] == "view_submission" and payload["view"]["id"] == view["id"]
    assert payload["user"] == {
        "id": alice,
        "username": "alice",
        "name": "alice",
        "team_id": sim.team_id,
    }
    option = {o["value"]: o for o in OPTIONS}
    assert payload["view"]["state"]["values"] == {
        "summary": {"text": {"type": "plain_text_input", "value": "Checkout fails"}},
        "severity": {"pick": {"type": "static_select", "selected_option": option["high"]}},
        "impact": {"radio": {"type": "radio_buttons", "selected_option": option["critical"]}},
        "owner": {"user": {"type": "users_select", "selected_user": bob}},
        "areas": {
            "many": {
                "type": "multi_static_select",
                "selected_options": [option["low"], option["critical"]],
            }
        },
        "flags": {"checks": {"type": "checkboxes", "selected_options": [option["high"]]}},
        "due": {"date": {"type": "datepicker", "selected_date": "2024-01-02"}},
        "watchers": {"user": {"type": "multi_users_select", "selected_users": [alice, bob]}},
        "notes": {"notes": {"type": "plain_text_input", "value": None}},
    }
    assert sim.views_of(alice) == []  # no response_action: the modal closes
    assert [o.kind for o in sim.seen_by(alice)] == ["view_opened", "view_closed"]


def test_submit_view_initial_values_and_explicit_clearing(sim, client, receiver, people):
    high = OPTIONS[1]
    form = {**FORM, "blocks": [*FORM["blocks"]]}
    form["blocks"][1] = input_block(
        "severity",
        {"type": "static_select", "action_id": "pick", "options": OPTIONS, "initial_option": high},
    )
    open_form(sim, client, people["alice"], form)
    sim.submit_view(people["alice"], {"text": "x"}, view_id=sim.views_of(people["alice"])[0]["id"])
    state = receiver.requests[-1]["payload"]["view"]["state"]["values"]
    assert state["severity"]["pick"]["selected_option"] == high

    open_form(sim, client, people["alice"], form)
    sim.submit_view(people["alice"], {"text": "", "pick": None, "many": None})
    state = receiver.requests[-1]["payload"]["view"]["state"]["values"]
    assert state["summary"]["text"]["value"] is None
    assert state["severity"]["pick"]["selected_option"] is None
    assert state["areas"]["many"]["selected_options"] == []


def test_submit_view_rejects_unknown_action_ids(sim, client, receiver, people):
    open_form(sim, client, people["alice"])
    with pytest.raises(KeyError):
        sim.submit_view(people["alice"], {"nope": "x"})
    with pytest.raises(ValueError):
        sim.submit_view(people["alice"], {"pick": "not-an-option"})


def test_response_actions(sim, client, receiver, people):
    alice = people["alice"]
    open_form(sim, client, alice)
    receiver.handler = lambda r: (
        200,
        {"response_action": "errors", "errors": {"summary": "Say what broke"}},
    )
    answer = sim.submit_view(alice, {"text": ""})
    assert answer.errors == {"summary": "Say what broke"} and len(sim.views_of(alice)) == 1

    next_view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Thanks"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Sent"}}],
    }
    receiver.handler = lambda r: (200, {"response_action": "update", "view": next_view})
    sim.submit_view(alice, {"text": "x"})
    assert [v["title"]["text"] for v in sim.views_of(alice)] == ["Thanks"]

    receiver.handler = lambda r: (200, {"response_action": "push", "view": FORM})
    sim.submit_view(alice, {})
    assert [v["title"]["text"] for v in sim.views_of(alice)] == ["Thanks", "Escalate"]

    receiver.handler = lambda r: (200, "")
    sim.submit_view(alice, {"text": "done"})  # closes only the pushed view
    assert [v["title"]["text"] for v in sim.views_of(alice)] == ["Thanks"]

    receiver.handler = lambda r: (200, {"response_action": "clear"})
    sim.submit_view(alice, {})
    assert sim.views_of(alice) == []


def test_slow_or_failing_ack_keeps_the_view_open(sim, client, receiver, people):
    alice = people["alice"]
    open_form(sim, client, alice)
    receiver.handler = lambda r: (500, "boom")
    answer = sim.submit_view(alice, {"text": "x"})
    assert answer.status == 500 and answer.problem and len(sim.views_of(alice)) == 1


def test_click_in_a_modal_remembers_the_choice(sim, client, receiver, people):
    alice = people["alice"]
    view = open_form(sim, client, alice)
    sim.click(alice, "pick", selected_option="critical")
    payload = receiver.requests[-1]["payload"]
    assert payload["container"] == {"type": "view", "view_id": view["id"]}
    assert payload["actions"][0]["selected_option"]["value"] == "critical"
    assert "response_url" not in payload
    sim.submit_view(alice, {"text": "x"})
    state = receiver.requests[-1]["payload"]["view"]["state"]["values"]
    assert state["severity"]["pick"]["selected_option"]["value"] == "critical"


def test_filling_in_a_dispatching_input_sends_a_block_action_with_the_whole_state(
    sim, client, receiver, people
):
    alice = people["alice"]
    typed = {**input_block("summary", {"type": "plain_text_input", "action_id": "text"})}
    typed["dispatch_action"] = True
    form = {**FORM, "blocks": [typed, *FORM["blocks"][1:]]}
    open_form(sim, client, alice, form)
    receiver.handler = lambda r: (200, "")
    sim.submit_view(alice, {"text": "Checkout down", "pick": "high", "notes": "n"})
    kinds = [r["payload"]["type"] for r in receiver.requests]
    assert kinds == ["block_actions", "view_submission"], "only the dispatching input acts"
    action = receiver.requests[0]["payload"]
    assert action["actions"][0]["value"] == "Checkout down" and action["view"]["hash"]
    state = action["view"]["state"]["values"]
    assert state["summary"]["text"]["value"] == "Checkout down"
    assert state["due"]["date"]["selected_date"] == "2024-01-02", "every input, as Slack sends"
