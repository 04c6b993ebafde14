"""Approval gates through the change layer against the simulator: a Sev1 declared by a
non-approver (and a `requires_approval` type) asks an approver by DM, the ticket and clocks
start at once, the war room waits; one decision only; unanswered → next approver → approved
automatically; a rejection keeps the previous severity."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import changes, deadlines, incident_changes, timer_changes
from app.errors import Forbidden, Invalid
from app.models import Approval, Channel, TimelineEvent
from tests.effects.test_incident_effects import approve_pending, declare, pending_approval, room
from tests.sla.test_escalation import MON_0900, uid


def events_of(relay, ticket, prefix=""):
    with relay.sessions() as db:
        stmt = select(TimelineEvent).where(TimelineEvent.ticket_id == ticket.id)
        found = db.scalars(stmt.order_by(TimelineEvent.id)).all()
    return [e for e in found if e.kind.startswith(prefix)]


def channel_row(relay, ticket):
    with relay.sessions() as db:
        return db.scalar(select(Channel).where(Channel.ticket_id == ticket.id))


def dms_to(sim, user):
    channel = sim.dm_channel(user)
    return sim.messages(channel) if channel else []


def buttons(message):
    return [
        e["action_id"]
        for b in message.get("blocks", [])
        if b["type"] == "actions"
        for e in b["elements"]
    ]


def test_a_non_approvers_sev1_asks_an_approver_and_waits_for_the_war_room(sim, relay, playbook):
    ticket = declare(relay, 1, approved=False, customer="acme-bank", title="Checkout down")
    assert channel_row(relay, ticket) is None, "no war room before the decision"
    [asked] = events_of(relay, ticket, "approval.")
    assert asked.kind == "approval.requested" and asked.after["reason"] == "severity"
    helen = uid(playbook, "helen.carter")
    assert asked.after["ask"] == [helen]
    [dm] = dms_to(sim, helen)
    assert buttons(dm) == ["approval_approve", "approval_reject"]
    text = str(dm["blocks"])
    assert ticket.key in text and uid(playbook, "amara.okafor") in text
    assert "Impact" in text and "Acme" in text
    with relay.sessions() as db:
        timers = deadlines.pending(db, "ticket", [ticket.id])[ticket.id]
    assert timers["approval.due"] == MON_0900 + timedelta(minutes=10)
    assert "response.breach" in timers, "the clocks run already"
    assert [e.kind for e in events_of(relay, ticket, "paged")] == ["paged"]


def test_approving_opens_the_war_room_once_and_a_second_click_changes_nothing(sim, relay, playbook):
    ticket = declare(relay, 1, approved=False, title="Checkout down")
    change = approve_pending(relay, ticket.key)
    kinds = [e.kind for e in change.events]
    assert kinds[:2] == ["approval.approved", "war_room.opened"]
    assert change.events[0].after["auto"] is False
    channel, _ = room(sim, relay, ticket)
    assert channel.name.startswith("inc-")
    assert uid(playbook, "amara.okafor") in channel.members
    approval = pending_approval(relay, ticket.key)
    assert approval is None
    with relay.sessions() as db:
        [done] = db.scalars(select(Approval).where(Approval.ticket_id == ticket.id)).all()
    marcus = uid(playbook, "marcus.bell")
    with pytest.raises(Invalid, match="already approved by Helen Carter"):
        incident_changes.decide_approval(
            relay, ticket.key, approval_id=done.id, approve=True, by=marcus
        )
    assert len([c for c in sim.calls if c.method == "conversations.create"]) == 1
    assert len(events_of(relay, ticket, "approval.approved")) == 1
    amara = uid(playbook, "amara.okafor")
    assert any("Approved by" in m.get("text", "") for m in dms_to(sim, amara))


def test_only_approvers_decide(relay, playbook):
    ticket = declare(relay, 1, approved=False, title="Checkout down")
    approval = pending_approval(relay, ticket.key)
    for handle in ("james.whitfield", "amara.okafor"):  # the manager; the requester
        with pytest.raises(Forbidden):
            incident_changes.decide_approval(
                relay, ticket.key, approval_id=approval.id, approve=True, by=uid(playbook, handle)
            )
    assert pending_approval(relay, ticket.key).status == "pending"
    assert channel_row(relay, ticket) is None


def test_a_rejection_keeps_the_previous_severity_and_says_why(sim, relay, playbook):
    ticket = declare(relay, 1, approved=False, title="Refund export fails")  # Relay suggested Sev3
    approval = pending_approval(relay, ticket.key)
    marcus = uid(playbook, "marcus.bell")
    with pytest.raises(Invalid, match="why"):
        incident_changes.decide_approval(
            relay, ticket.key, approval_id=approval.id, approve=False, by=marcus
        )
    change = incident_changes.decide_approval(
        relay, ticket.key, approval_id=approval.id, approve=False, by=marcus, note="One user only"
    )
    relay.deliver(("ticket", ticket.id))
    assert change.ticket.severity == 3
    [rejected] = events_of(relay, ticket, "approval.rejected")
    assert rejected.note == "One user only" and rejected.actor_id == marcus
    [changed] = events_of(relay, ticket, "severity.changed")
    assert changed.before["severity"] == 1 and changed.after["severity"] == 3
    assert "approval rejected: One user only" in change.ticket.severity_reason
    assert channel_row(relay, ticket) is None
    with relay.sessions() as db:
        assert "approval.due" not in deadlines.pending(db, "ticket", [ticket.id])[ticket.id]


def test_a_raised_swarm_waits_and_a_rejection_keeps_it_a_swarm(sim, relay, playbook):
    ticket = declare(relay, 2, approved=False, title="Slow API")
    before, _ = room(sim, relay, ticket)
    james, rachel = uid(playbook, "james.whitfield"), uid(playbook, "rachel.stone")
    change = changes.change_severity(relay, ticket.key, by=james, severity=1, reason="spreading")
    relay.deliver(("ticket", ticket.id))
    assert "approval.requested" in [e.kind for e in change.events]
    channel, row = room(sim, relay, ticket)
    assert channel.name.startswith("swarm-"), "not renamed before the decision"
    approval = pending_approval(relay, ticket.key)
    assert approval.previous_severity == 2
    change = incident_changes.decide_approval(
        relay, ticket.key, approval_id=approval.id, approve=False, by=rachel, note="Contained"
    )
    relay.deliver(("ticket", ticket.id))
    assert change.ticket.severity == 2
    channel, row = room(sim, relay, ticket)
    assert channel.id == before.id and channel.name.startswith("swarm-")
    assert not [c for c in sim.calls if c.method == "conversations.rename"]


def test_unanswered_it_goes_to_the_next_approver_then_approves_itself(sim, relay, playbook):
    ticket = declare(relay, 1, approved=False, title="Checkout down")
    relay.now.value = MON_0900 + timedelta(minutes=10)
    timer_changes.fire_due_timers(relay)
    relay.deliver(("ticket", ticket.id))
    [escalated] = events_of(relay, ticket, "approval.escalated")
    marcus = uid(playbook, "marcus.bell")
    assert escalated.after["ask"] == [marcus]
    assert any(buttons(m) for m in dms_to(sim, marcus)), "the next approver is asked"
    assert channel_row(relay, ticket) is None
    relay.now.value = MON_0900 + timedelta(minutes=20)
    timer_changes.fire_due_timers(relay)
    relay.deliver(("ticket", ticket.id))
    [approved] = events_of(relay, ticket, "approval.approved")
    assert approved.after["auto"] is True and approved.actor_id is None
    room(sim, relay, ticket)  # the war room is made
    timer_changes.fire_due_timers(relay)
    assert len(events_of(relay, ticket, "approval.")) == 3


def test_an_approvers_sev1_opens_the_war_room_at_once(sim, relay, playbook):
    ticket = declare(
        relay, 1, approved=False, title="Checkout down", reporter_id=uid(playbook, "rachel.stone")
    )
    assert not events_of(relay, ticket, "approval.")
    room(sim, relay, ticket)


def test_a_type_that_requires_approval_waits_whoever_declares_it(sim, relay, playbook):
    marcus = uid(playbook, "marcus.bell")  # an approver: another approver is asked
    ticket = declare(
        relay, 2, approved=False, escalation_type="security", title="Leaked key", reporter_id=marcus
    )
    [asked] = events_of(relay, ticket, "approval.requested")
    assert asked.after["reason"] == "type" and marcus not in asked.after["ask"]
    assert channel_row(relay, ticket) is None
    approve_pending(relay, ticket.key)
    channel, _ = room(sim, relay, ticket)
    assert channel.is_private


def test_resolving_withdraws_a_waiting_approval(relay, playbook):
    ticket = declare(relay, 1, approved=False, title="Checkout down")
    james = uid(playbook, "james.whitfield")
    changes.resolve(relay, ticket.key, by=james, summary="False alarm", root_cause="Unknown")
    [withdrawn] = events_of(relay, ticket, "approval.withdrawn")
    assert withdrawn.after["reason"] == "severity"
    assert pending_approval(relay, ticket.key) is None
    assert channel_row(relay, ticket) is None


def test_two_approvers_at_once_give_one_decision(sim, relay, playbook):
    """Approve and Reject clicked at the same moment (and Approve twice): one decision."""
    ticket = declare(relay, 1, approved=False, title="Checkout down")
    approval = pending_approval(relay, ticket.key)
    clicks = [("helen.carter", True), ("marcus.bell", False), ("rachel.stone", True)] * 2
    results: list = []
    start = threading.Barrier(len(clicks))

    def click(handle, approve):
        start.wait()
        try:
            incident_changes.decide_approval(
                relay,
                ticket.key,
                approval_id=approval.id,
                approve=approve,
                by=uid(playbook, handle),
                note="" if approve else "no",
            )
            results.append("decided")
        except Invalid as error:
            results.append(str(error))

    threads = [threading.Thread(target=click, args=c) for c in clicks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("decided") == 1
    decisions = [e for e in events_of(relay, ticket, "approval.") if e.kind != "approval.requested"]
    assert len(decisions) == 1
    relay.deliver(("ticket", ticket.id))
    assert len([c for c in sim.calls if c.method == "conversations.create"]) <= 1
