"""Modal submissions called directly with a fake ack: an empty required field is answered
inline with response_action errors and nothing else happens."""

import json
import uuid

import pytest
from sqlalchemy import func, select

from app.listeners.views import handle_escalate, handle_new_ticket, handle_resolve
from app.models import Status, Ticket
from blocks.ids import Callback, Field
from tests.listeners.conftest import context, snapshot, stored


def text_value(value: str | None) -> dict:
    return {"type": "plain_text_input", "value": value}


def choice(value: str | None) -> dict:
    return {"type": "static_select", "selected_option": {"value": value} if value else None}


def submit(listener, fakes, relay, user: str, callback: Callback, values: dict, meta: str):
    view = {
        "id": f"V{uuid.uuid4().hex[:10].upper()}",
        "type": "modal",
        "callback_id": callback,
        "private_metadata": meta,
        "state": {"values": {field: {field: element} for field, element in values.items()}},
    }
    body = {"type": "view_submission", "user": {"id": user}, "view": view}
    listener(ack=fakes.ack, body=body, view=view, client=fakes.client, context=context(relay))


@pytest.mark.parametrize("note", [None, "", "   \n  "])
def test_escalate_with_an_empty_note_is_answered_inline(fakes, relay, people, ticket_key, note):
    before = snapshot(relay, ticket_key)
    values = {Field.HANDOFF_NOTE: text_value(note)}
    submit(handle_escalate, fakes, relay, people.agent, Callback.ESCALATE, values, ticket_key)
    assert fakes.calls == [
        ("ack", {"response_action": "errors", "errors": {"handoff_note": "Please fill this in."}})
    ]
    assert snapshot(relay, ticket_key) == before


def test_resolve_with_an_empty_summary_is_answered_inline(fakes, relay, people, ticket_key):
    before = snapshot(relay, ticket_key)
    values = {Field.SUMMARY: text_value("")}
    submit(handle_resolve, fakes, relay, people.agent, Callback.RESOLVE, values, ticket_key)
    assert fakes.names() == ["ack"]
    assert fakes.of("ack")[0]["response_action"] == "errors"
    assert set(fakes.of("ack")[0]["errors"]) == {"summary"}
    assert snapshot(relay, ticket_key) == before


def test_resolve_with_a_summary_acks_plainly_then_resolves(fakes, relay, people, ticket_key):
    values = {Field.SUMMARY: text_value("Restarted the export job")}
    submit(handle_resolve, fakes, relay, people.agent, Callback.RESOLVE, values, ticket_key)
    assert fakes.names() == ["ack", "chat_postMessage"]
    assert fakes.of("ack") == [{}]
    assert fakes.told() == f"*{ticket_key}* is resolved; its clocks are stopped."
    assert stored(relay, ticket_key).status == Status.RESOLVED


def test_escalate_by_an_outsider_is_refused_after_ack(fakes, relay, people, ticket_key):
    before = snapshot(relay, ticket_key)
    values = {Field.HANDOFF_NOTE: text_value("please look")}
    submit(handle_escalate, fakes, relay, people.outsider, Callback.ESCALATE, values, ticket_key)
    assert fakes.names() == ["ack", "chat_postMessage"]
    assert fakes.of("ack") == [{}]
    assert fakes.told().startswith("Only members of the Payments team")
    assert snapshot(relay, ticket_key) == before


def tickets_reported_by(relay, user: str) -> int:
    with relay.sessions() as db:
        return db.scalar(select(func.count()).where(Ticket.reporter_id == user))


def intake_values(**overrides) -> dict:
    values = {
        Field.TITLE: text_value("Refund export fails"),
        Field.DESCRIPTION: text_value("error 500 on export"),
        Field.IMPACT: text_value("Finance exports by hand"),
        Field.TEAM: choice("payments"),
        Field.CUSTOMER: choice("initech"),
        Field.ESCALATION_TYPE: choice("technical"),
        Field.SEVERITY: choice(None),
    }
    return {**values, **overrides}


def test_new_ticket_with_empty_required_fields_is_answered_inline(fakes, relay, playbook):
    reporter = playbook.people["maya.chen"].slack_id
    before = tickets_reported_by(relay, reporter)
    values = intake_values(**{Field.TITLE: text_value(" "), Field.TEAM: choice(None)})
    meta = json.dumps({"origin_channel": "C0SUPPORT1"})
    submit(handle_new_ticket, fakes, relay, reporter, Callback.NEW_TICKET, values, meta)
    assert fakes.names() == ["ack"]
    [answer] = fakes.of("ack")
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"title", "team"}
    assert tickets_reported_by(relay, reporter) == before


def test_new_ticket_that_is_complete_acks_plainly_and_opens(fakes, relay, playbook):
    reporter = playbook.people["maya.chen"].slack_id
    before = tickets_reported_by(relay, reporter)
    meta = json.dumps({"origin_channel": "C0SUPPORT1"})
    submit(handle_new_ticket, fakes, relay, reporter, Callback.NEW_TICKET, intake_values(), meta)
    assert fakes.names() == ["ack"]
    assert fakes.of("ack") == [{}]
    assert tickets_reported_by(relay, reporter) == before + 1
