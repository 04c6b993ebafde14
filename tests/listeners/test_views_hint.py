"""The new-ticket form's block actions update the hint with the view's hash."""

from types import SimpleNamespace

from slack_sdk.errors import SlackApiError

from app.listeners.views import handle_new_ticket, handle_new_ticket_input
from blocks.new_ticket import new_ticket_metadata, new_ticket_modal


class FakeClient:
    def __init__(self, error=None):
        self.error, self.updates, self.messages = error, [], []

    def views_update(self, **kwargs):
        self.updates.append(kwargs)
        if self.error:
            raise SlackApiError(self.error, {"ok": False, "error": self.error})

    def chat_postMessage(self, **kwargs):
        self.messages.append(kwargs)


def body_for(playbook, values: dict) -> dict:
    view = {**new_ticket_modal(playbook, metadata={"origin_channel": "C1"}), "id": "V1"}
    state = {k: {k: {"type": "plain_text_input", "value": v}} for k, v in values.items()}
    state["team"] = {"team": {"type": "static_select", "selected_option": {"value": "payments"}}}
    view.update(hash="h1", state={"values": state})
    return {"user": {"id": "U0HW88GQ274"}, "view": view}


def run(playbook, client, values):
    acks = []
    context = {"relay": SimpleNamespace(playbook=playbook, drill=False)}
    handle_new_ticket_input(
        lambda **kw: acks.append(kw), body_for(playbook, values), client, context
    )
    return acks


def test_the_hint_is_updated_against_the_views_hash(playbook):
    client = FakeClient()
    assert run(playbook, client, {"title": "Checkout outage"}) == [{}]
    (update,) = client.updates
    assert (update["view_id"], update["hash"]) == ("V1", "h1")
    assert "Relay suggests Sev1: matched 'outage', service Payments" in str(update["view"])
    assert new_ticket_metadata(update["view"]) == {"origin_channel": "C1", "shown": 1}


def test_a_later_keystroke_that_won_the_race_is_not_an_error(playbook):
    client = FakeClient(error="hash_conflict")
    run(playbook, client, {"title": "Checkout outage"})
    assert client.updates and not client.messages, "nobody is told something went wrong"


def test_a_submission_the_hint_no_longer_matches_shows_the_form_again(playbook):
    body = body_for(playbook, {"title": "Checkout outage", "description": "d", "impact": "i"})
    body["view"]["private_metadata"] = '{"shown": 2}'  # the last hint the person saw
    body["view"]["state"]["values"]["escalation_type"] = {
        "escalation_type": {"type": "static_select", "selected_option": {"value": "technical"}}
    }
    acks = []
    context = {"relay": SimpleNamespace(playbook=playbook, drill=False)}
    handle_new_ticket(lambda **kw: acks.append(kw), body, body["view"], FakeClient(), context)
    (ack,) = acks
    assert ack["response_action"] == "update"
    assert (
        "Relay suggests Sev1" in str(ack["view"]) and new_ticket_metadata(ack["view"])["shown"] == 1
    )
