"""Card and App Home buttons called directly with a fake ack: refusals change nothing, and a
form button checks who is asking before views.open."""

import json

import pytest

from app.listeners.actions import (
    handle_ack,
    handle_assign,
    handle_open,
    handle_ticket_form_button,
)
from blocks.ids import Action, Callback
from tests.listeners.conftest import context, new_ticket, snapshot, stored

QUEUE = "C0PAYQUEUE"


def click(user: str, action: dict, *, response_url: bool = True) -> dict:
    body = {
        "type": "block_actions",
        "user": {"id": user},
        "trigger_id": "1337.42.abcd",
        "channel": {"id": QUEUE},
        "actions": [action],
    }
    if response_url:
        body["response_url"] = "https://hooks.slack.test/actions/1"
    return body


def button(action_id: Action, key: str) -> dict:
    return {"type": "button", "action_id": action_id, "value": key, "block_id": f"card:{key}"}


def run(listener, fakes, relay, body, *, respond=True) -> None:
    extra = {"respond": fakes.respond} if respond else {}
    listener(
        ack=fakes.ack,
        body=body,
        action=body["actions"][0],
        client=fakes.client,
        context=context(relay),
        **extra,
    )


def test_outsider_clicking_acknowledge_is_refused_and_nothing_changes(
    fakes, relay, people, ticket_key
):
    before = snapshot(relay, ticket_key)
    run(handle_ack, fakes, relay, click(people.outsider, button(Action.ACK, ticket_key)))
    assert fakes.names() == ["ack", "respond"]
    assert fakes.of("ack") == [{}]
    [answer] = fakes.of("respond")
    assert answer["text"] == (
        f"Only members of the Payments team or Relay admins can change {ticket_key}."
    )
    assert answer["response_type"] == "ephemeral" and answer["replace_original"] is False
    assert snapshot(relay, ticket_key) == before


def test_team_member_clicking_acknowledge_owns_the_ticket(fakes, relay, people, ticket_key):
    run(handle_ack, fakes, relay, click(people.agent, button(Action.ACK, ticket_key)))
    assert fakes.acked_first_and_once()
    assert fakes.told() == f"You acknowledged *{ticket_key}* and own it now."
    ticket = stored(relay, ticket_key)
    assert ticket.owner_id == people.agent and ticket.acknowledged_at is not None


def test_without_a_response_url_the_answer_is_a_dm(fakes, relay, people, ticket_key):
    body = click(people.outsider, button(Action.ACK, ticket_key), response_url=False)
    run(handle_ack, fakes, relay, body)
    assert fakes.names() == ["ack", "chat_postMessage"]
    [dm] = fakes.of("chat_postMessage")
    assert dm["channel"] == people.outsider and dm["text"].startswith("Only members")


def test_assign_select_by_an_outsider_changes_nothing(fakes, relay, people, ticket_key):
    before = snapshot(relay, ticket_key)
    select = {
        "type": "users_select",
        "action_id": Action.ASSIGN,
        "block_id": f"card:{ticket_key}",
        "selected_user": people.outsider,
    }
    run(handle_assign, fakes, relay, click(people.outsider, select))
    assert fakes.acked_first_and_once()
    assert fakes.told().startswith("Only members of the Payments team")
    assert snapshot(relay, ticket_key) == before


FORMS = [
    (Action.ESCALATE, Callback.ESCALATE),
    (Action.SEVERITY, Callback.SEVERITY),
    (Action.RESOLVE, Callback.RESOLVE),
]


@pytest.mark.parametrize("action_id, _", FORMS)
def test_form_button_refuses_an_outsider_before_views_open(
    fakes, relay, people, ticket_key, action_id, _
):
    before = snapshot(relay, ticket_key)
    body = click(people.outsider, button(action_id, ticket_key))
    run(handle_ticket_form_button, fakes, relay, body)
    assert "views_open" not in fakes.names()
    assert fakes.names() == ["ack", "respond"]
    assert fakes.told().startswith("Only members of the Payments team")
    assert snapshot(relay, ticket_key) == before


@pytest.mark.parametrize("action_id, callback", FORMS)
def test_form_button_opens_the_form_for_the_team(
    fakes, relay, people, ticket_key, action_id, callback
):
    run(handle_ticket_form_button, fakes, relay, click(people.agent, button(action_id, ticket_key)))
    assert fakes.names() == ["ack", "views_open"]
    [opened] = fakes.of("views_open")
    assert opened["trigger_id"] == "1337.42.abcd"
    assert opened["view"]["callback_id"] == callback
    assert json.loads(opened["view"]["private_metadata"])["key"] == ticket_key


def test_open_from_app_home_checks_who_may_see_a_confidential_ticket(fakes, relay, people):
    key = new_ticket(relay, escalation_type="security")
    body = click(people.outsider, button(Action.OPEN, key), response_url=False)
    run(handle_open, fakes, relay, body, respond=False)
    assert fakes.names() == ["ack", "chat_postMessage"]
    assert fakes.told() == f"{key} is confidential."
    team = type(fakes)()
    run(handle_open, team, relay, click(people.agent, button(Action.OPEN, key)), respond=False)
    assert team.names() == ["ack", "views_open"]
    assert key in str(team.of("views_open")[0]["view"])
