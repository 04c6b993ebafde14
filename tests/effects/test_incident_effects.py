"""War rooms and swarms made in the simulator through the change layer and the outbox:
each part once, in order, errors handled by their kind and noted in the ticket's thread."""

from datetime import timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from app import changes, incident_changes, timer_changes
from app.drills.workspace import seed_workspace
from app.incidents import approvals
from app.models import Approval, Channel, OutboxMessage, OutboxStatus, Ticket
from app.runtime import Relay
from tests.sla.test_escalation import MON_0900, open_sev3, uid
from tests.test_changes import Clock


@pytest.fixture
def relay(sim, sessions, playbook):
    seed_workspace(sim, playbook)
    client = WebClient(token=sim.bot_token, base_url=sim.api_url, retry_handlers=[])
    return Relay(playbook, sessions, client, now=Clock(MON_0900))


def declare(relay, severity, *, approved=True, **fields):
    """Open a ticket at `severity` (declared by an agent who is not an approver); with
    `approved`, an approver approves what it waits for (tests/incidents/test_approvals.py)."""
    with relay.sessions() as db, db.begin():
        reason = None if severity == 3 else "drill"
        ticket = open_sev3(
            db, relay.playbook, now=relay.now(), severity=severity, override_reason=reason, **fields
        )
        changes.record_opening(db, relay.playbook, ticket, now=relay.now())
    relay.deliver(("ticket", ticket.id))
    if approved:
        approve_pending(relay, ticket.key)
    return ticket


def pending_approval(relay, key) -> Approval | None:
    with relay.sessions() as db:
        ticket = db.scalar(select(Ticket).where(Ticket.key == key))
        return approvals.pending(db, ticket)


def approve_pending(relay, key, *, by_handle="helen.carter"):
    """The first approver approves what the ticket waits for (nothing when it waits for
    nothing); delivered."""
    approval = pending_approval(relay, key)
    if approval is None:
        return None
    by = uid(relay.playbook, by_handle)
    change = incident_changes.decide_approval(
        relay, key, approval_id=approval.id, approve=True, by=by
    )
    relay.deliver(("ticket", change.ticket.id))
    return change


def room(sim, relay, ticket):
    with relay.sessions() as db:
        channel = db.scalar(select(Channel).where(Channel.ticket_id == ticket.id))
    assert channel is not None and channel.slack_id, "the channel was made"
    with sim.ws.lock:
        return sim.ws.channels[channel.slack_id], channel


def rows(relay, ticket, status=None):
    with relay.sessions() as db:
        stmt = select(OutboxMessage).where(OutboxMessage.subject_id == ticket.id)
        found = db.scalars(stmt.order_by(OutboxMessage.id)).all()
    return [r for r in found if status is None or r.status == status]


def test_a_sev1_gets_a_ready_war_room_once(sim, relay, playbook):
    ticket = declare(relay, 1, customer="acme-bank", title="Checkout down")
    channel, row = room(sim, relay, ticket)
    assert channel.name == f"inc-{ticket.key.lower()}-checkout-down"
    assert not channel.is_private
    invited = {"amara.okafor", "james.whitfield", "tom.hughes", "priya.shah"}
    assert {uid(playbook, h) for h in invited} <= channel.members
    assert "Sev1" in channel.topic["value"] and "IC: Priya Shah" in channel.topic["value"]
    assert channel.purpose["value"] == f"{ticket.key}: Checkout down"
    titles = [b["title"] for b in channel.bookmarks]
    assert titles == [f"{ticket.key} card", "Card processor failover", "Refund backlog"]
    assert len(channel.pins) == 2, "summary and role card pinned"
    texts = [m.get("text", "") for m in channel.messages.values()]
    assert any("summary" in t for t in texts) and any("Roles for" in t for t in texts)
    assert not rows(relay, ticket, OutboxStatus.FAILED)
    queue = playbook.teams["payments"].queue_channel
    [posted] = [m for m in sim.messages(queue) if m.get("thread_ts", m["ts"]) == m["ts"]]
    assert f"<#{row.slack_id}>" in str(posted["blocks"]), "the card links to the war room"
    thread = [m["text"] for m in sim.messages(queue) if m.get("thread_ts", m["ts"]) != m["ts"]]
    assert f"War room <#{row.slack_id}> is open." in "\n".join(thread)
    before = len(sim.calls)
    relay.deliver(("ticket", ticket.id))
    assert [c for c in sim.calls[before:] if c.method.startswith("conversations.")] == []


def test_a_confidential_sev2_gets_a_private_swarm(sim, relay):
    ticket = declare(relay, 2, escalation_type="security", title="Leaked key")
    channel, _ = room(sim, relay, ticket)
    assert channel.is_private and channel.name.startswith("swarm-")
    assert "Facilitator:" in channel.topic["value"]


def test_a_taken_name_gets_a_suffix(sim, relay, playbook):
    first = declare(relay, 1, title="Checkout down")
    channel, _ = room(sim, relay, first)
    assert channel.name == f"inc-{first.key.lower()}-checkout-down"
    key = f"ESC-{int(first.key.split('-')[1]) + 1}"
    sim.add_channel(f"inc-{key.lower()}-checkout-down")  # someone took the next name by hand
    second = declare(relay, 1, title="Checkout down")
    assert second.key == key
    channel, row = room(sim, relay, second)
    assert channel.name == f"inc-{key.lower()}-checkout-down-2" == row.name


def test_raising_a_swarm_renames_it_and_opens_no_second_channel(sim, relay, playbook):
    ticket = declare(relay, 2, title="Slow API")
    before, _ = room(sim, relay, ticket)
    james = uid(playbook, "james.whitfield")
    changes.change_severity(relay, ticket.key, by=james, severity=1, reason="spreading")
    relay.deliver(("ticket", ticket.id))
    approve_pending(relay, ticket.key)  # james is no approver
    channel, row = room(sim, relay, ticket)
    assert channel.id == before.id and channel.name.startswith("inc-") and row.name == channel.name
    assert "IC:" in channel.topic["value"] and "Sev1" in channel.topic["value"]
    creates = [c for c in sim.calls if c.method == "conversations.create"]
    assert len(creates) == 1


def test_resolving_posts_in_the_channel_and_the_clock_archives_it(sim, relay, playbook):
    ticket = declare(relay, 1, title="Checkout down")
    james = uid(playbook, "james.whitfield")
    changes.resolve(
        relay,
        ticket.key,
        by=james,
        summary="Failed over the processor",
        root_cause="Third-party provider",
    )
    relay.deliver(("ticket", ticket.id))
    channel, _ = room(sim, relay, ticket)
    assert any("Failed over the processor" in m.get("text", "") for m in channel.messages.values())
    assert "Resolved" in channel.topic["value"]
    relay.now.value = MON_0900 + timedelta(hours=playbook.incidents.archive_after_hours)
    timer_changes.fire_due_timers(relay)
    relay.deliver(("ticket", ticket.id))
    channel, row = room(sim, relay, ticket)
    assert channel.archived and row.archived_at is not None
    timer_changes.fire_due_timers(relay)
    assert len([c for c in sim.calls if c.method == "conversations.archive"]) == 1


def test_someone_slack_does_not_know_is_noted_in_the_thread(sim, relay, playbook):
    tom = uid(playbook, "tom.hughes")
    with sim.ws.lock:
        del sim.ws.users[tom]
    ticket = declare(relay, 1, title="Checkout down")
    channel, _ = room(sim, relay, ticket)
    assert tom not in channel.members and uid(playbook, "priya.shah") in channel.members
    [failed] = [r for r in rows(relay, ticket, OutboxStatus.FAILED) if r.kind.startswith("chan")]
    assert failed.kind == "channel.invite" and failed.last_error == "user_not_found"
    queue = playbook.teams["payments"].queue_channel
    notes = [m["text"] for m in sim.messages(queue) if m.get("thread_ts", m["ts"]) != m["ts"]]
    assert any(f"could not invite <@{tom}>" in n for n in notes)


def test_raising_a_reopened_ticket_brings_its_archived_channel_back(sim, relay, playbook):
    ticket = declare(relay, 2, title="Slow API")
    before, _ = room(sim, relay, ticket)
    james, admin = uid(playbook, "james.whitfield"), uid(playbook, "fatima.haddad")
    changes.resolve(relay, ticket.key, by=james, summary="Cache warmed", root_cause="Unknown")
    relay.now.value = MON_0900 + timedelta(hours=playbook.incidents.archive_after_hours)
    timer_changes.fire_due_timers(relay)
    relay.deliver(("ticket", ticket.id))
    assert room(sim, relay, ticket)[0].archived
    changes.reopen(relay, ticket.key, by=james)
    changes.change_severity(relay, ticket.key, by=admin, severity=1, reason="back, and worse")
    relay.deliver(("ticket", ticket.id))
    approve_pending(relay, ticket.key)  # the admin is no approver
    channel, row = room(sim, relay, ticket)
    assert channel.id == before.id and not channel.archived and row.archived_at is None
    assert channel.name.startswith("inc-") and "Sev1" in channel.topic["value"]
    methods = [c.method for c in sim.calls if c.ok]
    assert methods.count("conversations.create") == 1
    assert methods.count("conversations.unarchive") == 1
    assert methods.index("conversations.unarchive") < methods.index("conversations.rename")
    assert not rows(relay, ticket, OutboxStatus.FAILED)


def test_the_ic_of_a_confidential_ticket_is_invited_only_if_they_may_see_it(sim, relay, playbook):
    ticket = declare(relay, 1, escalation_type="security", title="Leaked key")
    channel, _ = room(sim, relay, ticket)
    with relay.sessions() as db:
        ic = approvals_ic(db, ticket)
    assert ic == uid(playbook, "priya.shah"), "the team's first eligible person, outside the RACI"
    assert ic not in channel.members
    assert uid(playbook, "marcus.bell") in channel.members  # accountable: may see it
    assert channel.is_private


def approvals_ic(db, ticket):
    from app.incidents import commander

    return commander(db, db.get(Ticket, ticket.id))
