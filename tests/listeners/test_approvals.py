"""Approve / Reject in an approver's DM, called as Bolt would: who is asking is checked
first, a refusal changes nothing, the rejection's reason is asked in a modal."""

import json

from app.listeners.approvals import handle_approve, handle_reject, handle_reject_submit
from blocks.approvals import button_value
from blocks.ids import Action, Callback, Field
from tests.effects.test_incident_effects import pending_approval
from tests.listeners.conftest import new_ticket, snapshot, stored
from tests.listeners.test_actions import click, run
from tests.listeners.test_views import submit, text_value
from tests.sla.test_escalation import uid


def declared(relay):
    key = new_ticket(relay, severity=1, override_reason="drill", title="Checkout down")
    approval = pending_approval(relay, key)
    assert approval is not None, "an agent's Sev1 waits for an approver"
    return key, approval.id


def button(action_id, key, approval_id):
    return {"type": "button", "action_id": action_id, "value": button_value_of(key, approval_id)}


def button_value_of(key, approval_id):
    return f"{key}:{approval_id}"


def test_an_approver_approves_once(fakes, relay, playbook):
    key, approval_id = declared(relay)
    assert button_value(stored(relay, key), approval_id) == button_value_of(key, approval_id)
    helen = uid(playbook, "helen.carter")
    run(handle_approve, fakes, relay, click(helen, button(Action.APPROVE, key, approval_id)))
    assert fakes.acked_first_and_once()
    assert f"You approved *{key}*" in fakes.told()
    assert pending_approval(relay, key) is None


def test_a_second_approve_says_who_decided(fakes, relay, playbook):
    key, approval_id = declared(relay)
    helen, marcus = uid(playbook, "helen.carter"), uid(playbook, "marcus.bell")
    run(handle_approve, fakes, relay, click(helen, button(Action.APPROVE, key, approval_id)))
    before = snapshot(relay, key)
    run(handle_approve, fakes, relay, click(marcus, button(Action.APPROVE, key, approval_id)))
    assert "already approved by Helen Carter" in fakes.told()
    assert snapshot(relay, key) == before


def test_someone_who_is_no_approver_is_refused_and_nothing_changes(fakes, relay, people):
    key, approval_id = declared(relay)
    before = snapshot(relay, key)
    run(
        handle_approve,
        fakes,
        relay,
        click(people.manager, button(Action.APPROVE, key, approval_id)),
    )
    run(handle_reject, fakes, relay, click(people.manager, button(Action.REJECT, key, approval_id)))
    assert fakes.told().count("Only approvers decide") == 2
    assert not fakes.of("views_open"), "no reason modal for someone who may not reject"
    assert snapshot(relay, key) == before


def test_a_damaged_button_gets_a_clear_answer(fakes, relay, playbook):
    action = {"type": "button", "action_id": Action.APPROVE, "value": "nonsense"}
    run(handle_approve, fakes, relay, click(uid(playbook, "helen.carter"), action))
    assert "names no approval" in fakes.told()


def test_reject_asks_why_then_keeps_the_previous_severity(fakes, relay, playbook):
    key, approval_id = declared(relay)
    marcus = uid(playbook, "marcus.bell")
    run(handle_reject, fakes, relay, click(marcus, button(Action.REJECT, key, approval_id)))
    [opened] = fakes.of("views_open")
    view = opened["view"]
    assert view["callback_id"] == Callback.REJECT_APPROVAL
    meta = view["private_metadata"]
    assert json.loads(meta) == {"key": key, "approval": approval_id}
    before = snapshot(relay, key)
    values = {Field.REASON: text_value("  ")}
    submit(handle_reject_submit, fakes, relay, marcus, Callback.REJECT_APPROVAL, values, meta)
    assert fakes.calls[-1] == (
        "ack",
        {"response_action": "errors", "errors": {"reason": "Say why it is rejected."}},
    )
    assert snapshot(relay, key) == before
    values = {Field.REASON: text_value("Only one merchant, <!channel> calm down")}
    submit(handle_reject_submit, fakes, relay, marcus, Callback.REJECT_APPROVAL, values, meta)
    assert f"You rejected *{key}*; it is Sev2." in fakes.told()
    assert stored(relay, key).severity == 2
    assert pending_approval(relay, key) is None
