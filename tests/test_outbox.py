"""Outbox delivery against the simulator: order, write-back, retries, idempotency."""

from datetime import timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from app import outbox, tickets
from app.models import OutboxMessage, OutboxStatus, Ticket
from app.simulator import SlackSimulator
from tests.conftest import NOW
from tests.test_tickets import intake


class Clock:
    def __init__(self):
        self.value = NOW

    def __call__(self):
        return self.value


@pytest.fixture
def sim():
    with SlackSimulator(signing_secret="s3cret") as sim:
        yield sim


@pytest.fixture
def world(sim, sessions, playbook):
    team = playbook.teams["payments"]
    sim.add_channel(team.queue_channel_name, id=team.queue_channel, members=[])
    client = WebClient(token=sim.bot_token, base_url=sim.api_url)
    with sessions() as db, db.begin():
        checked = tickets.check_intake(playbook, intake(playbook, team="payments"))
        ticket, _ = tickets.open_ticket(db, playbook, checked, now=NOW)
    return client, ticket.id, team.queue_channel


def enqueue(sessions, ticket_id, key, method, payload):
    with sessions() as db, db.begin():
        ticket = db.get(Ticket, ticket_id)
        outbox.enqueue(db, key=key, method=method, payload=payload, now=NOW, ticket=ticket)


def rows(sessions, ticket_id):
    with sessions() as db:
        stmt = select(OutboxMessage).where(OutboxMessage.ticket_id == ticket_id)
        return list(db.scalars(stmt.order_by(OutboxMessage.id)))


def test_card_posts_once_then_updates_in_place(world, sim, sessions):
    client, ticket_id, channel = world
    enqueue(
        sessions, ticket_id, f"card:{ticket_id}:1", "relay.card", {"channel": channel, "text": "v1"}
    )
    enqueue(
        sessions,
        ticket_id,
        f"card:{ticket_id}:1",
        "relay.card",
        {"channel": channel, "text": "dup"},
    )
    enqueue(sessions, ticket_id, f"thread:{ticket_id}:2", "relay.thread", {"text": "note"})
    enqueue(
        sessions, ticket_id, f"card:{ticket_id}:3", "relay.card", {"channel": channel, "text": "v2"}
    )
    clock = Clock()
    assert outbox.deliver(sessions, client, now=clock) == 3
    with sessions() as db:
        ticket = db.get(Ticket, ticket_id)
    top = [m for m in sim.messages(channel) if not m.get("thread_ts") or m["ts"] == m["thread_ts"]]
    assert [m["text"] for m in top] == ["v2"]
    assert (ticket.card_channel, ticket.card_ts) == (channel, top[0]["ts"])
    replies = [m for m in sim.messages(channel) if m.get("thread_ts") == ticket.card_ts]
    assert [m["text"] for m in replies if m["ts"] != ticket.card_ts] == ["note"]
    assert outbox.deliver(sessions, client, now=clock) == 0


def test_ratelimit_waits_retry_after_and_holds_later_rows(world, sim, sessions):
    client, ticket_id, channel = world
    sim.faults.inject("chat.postMessage", "ratelimit", times=1, retry_after=7)
    enqueue(
        sessions, ticket_id, f"card:{ticket_id}:1", "relay.card", {"channel": channel, "text": "v1"}
    )
    enqueue(sessions, ticket_id, f"thread:{ticket_id}:2", "relay.thread", {"text": "note"})
    clock = Clock()
    assert outbox.deliver(sessions, client, now=clock) == 0
    first, second = rows(sessions, ticket_id)
    assert first.last_error == "ratelimited" and first.next_attempt_at == NOW + timedelta(seconds=7)
    assert second.status == OutboxStatus.PENDING and second.attempts == 0
    clock.value = NOW + timedelta(seconds=6)
    assert outbox.deliver(sessions, client, now=clock) == 0
    clock.value = NOW + timedelta(seconds=7)
    assert outbox.deliver(sessions, client, now=clock) == 2
    assert [r.status for r in rows(sessions, ticket_id)] == [OutboxStatus.SENT] * 2


def test_server_errors_back_off_then_succeed(world, sim, sessions):
    client, ticket_id, channel = world
    sim.faults.inject("chat.postMessage", "server_error", times=2)
    enqueue(
        sessions, ticket_id, f"card:{ticket_id}:1", "relay.card", {"channel": channel, "text": "v1"}
    )
    clock = Clock()
    outbox.deliver(sessions, client, now=clock)
    (row,) = rows(sessions, ticket_id)
    assert row.attempts == 1 and row.next_attempt_at == NOW + timedelta(seconds=1)
    clock.value += timedelta(seconds=1)
    outbox.deliver(sessions, client, now=clock)
    (row,) = rows(sessions, ticket_id)
    assert row.attempts == 2 and row.next_attempt_at == clock.value + timedelta(seconds=2)
    clock.value += timedelta(seconds=2)
    assert outbox.deliver(sessions, client, now=clock) == 1
    assert len(sim.messages(channel)) == 1


def test_permanent_error_is_recorded_not_retried(world, sim, sessions):
    client, ticket_id, _ = world
    enqueue(
        sessions, ticket_id, "bad", "chat.postMessage", {"channel": "C0NOSUCHCHAN", "text": "x"}
    )
    outbox.deliver(sessions, client, now=Clock())
    (row,) = rows(sessions, ticket_id)
    assert row.status == OutboxStatus.FAILED and row.last_error == "channel_not_found"


def test_card_rendered_at_delivery_covers_every_pending_card_row(world, sim, sessions):
    client, ticket_id, channel = world
    for n in (1, 2, 3):
        enqueue(sessions, ticket_id, f"card:{ticket_id}:{n}", "relay.card", {"channel": channel})
    renders = []

    def render(ticket):
        renders.append(ticket.key)
        return {"text": f"{ticket.key} as it is now"}

    assert outbox.deliver(sessions, client, now=Clock(), render_card=render) == 1
    assert len(renders) == 1
    posted = [c for c in sim.calls if c.method in ("chat.postMessage", "chat.update")]
    assert len(posted) == 1 and posted[0].args["text"].endswith("as it is now")
    statuses = [r.status for r in rows(sessions, ticket_id)]
    assert statuses == [OutboxStatus.SENT] * 3
    assert rows(sessions, ticket_id)[2].result == {"covered_by": rows(sessions, ticket_id)[0].id}
