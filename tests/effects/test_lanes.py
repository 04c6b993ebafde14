"""Concurrent delivery: lanes (a stream, else the channel) go out at once, each in order;
a 429 holds back only its lane and its scope; dependencies still wait."""

from collections import Counter
from dataclasses import replace
from datetime import timedelta
from types import SimpleNamespace

import pytest
from slack_sdk import WebClient
from sqlalchemy import event

from app.effects import outbox
from app.effects.kinds import KINDS
from app.models import Channel, OutboxStatus
from app.simulator import SlackSimulator
from tests.conftest import NOW
from tests.effects.test_outbox import Clock, by_key, effect, enqueue, rows
from tests.simulator.conftest import FakeClock


def enqueue_many(sessions, ticket_id, effects):
    """(key, kind, payload, stream, after) tuples in one transaction, in this order."""
    with sessions() as db, db.begin():
        outbox.enqueue_rows(db, [effect(ticket_id, *fields) for fields in effects])


def deliver(sessions, client, ticket_id, clock, playbook, **options):
    context = SimpleNamespace(playbook=playbook, now=clock)
    subject = ("ticket", ticket_id)
    return outbox.deliver(sessions, client, now=clock, context=context, subject=subject, **options)


def test_400_effects_over_200_channels_each_once_and_in_order(world, sim, sessions, playbook):
    client, ticket_id, _ = world
    channels = [sim.add_channel(f"lane-{n:03d}") for n in range(200)]
    effects = []
    for n in range(400):
        c = n % 200
        stream = f"{ticket_id}/s{c}" if c < 20 else None  # a stream keeps order on its own
        payload = {"channel": channels[c], "text": f"{n:03d}"}
        effects.append((f"m{n}", "message", payload, stream, None))
    enqueue_many(sessions, ticket_id, effects)
    assert deliver(sessions, client, ticket_id, Clock(), playbook, threads=8) == 400
    assert {r.status for r in rows(sessions, ticket_id)} == {OutboxStatus.SENT}
    posted = Counter(c.args["text"] for c in sim.calls if c.method == "chat.postMessage")
    assert len(posted) == 400 and set(posted.values()) == {1}, "none twice"
    for c, channel in enumerate(channels):
        assert [m["text"] for m in sim.messages(channel)] == [f"{c:03d}", f"{c + 200:03d}"]


@pytest.fixture
def limited(sessions, playbook):
    """A simulator enforcing Slack's limits: a message a second per channel, bursts of 3."""
    with SlackSimulator(rate_limits=True, clock=FakeClock()) as sim:
        yield sim, WebClient(token=sim.bot_token, base_url=sim.api_url, retry_handlers=[])


def test_a_429_on_one_channel_holds_back_only_that_channel(world, limited, sessions, playbook):
    _, ticket_id, _ = world
    sim, client = limited
    busy = sim.add_channel("busy")
    others = [sim.add_channel(f"other-{n}") for n in range(10)]
    effects = [
        (f"busy{n}", "message", {"channel": busy, "text": f"busy {n}"}, None, None)
        for n in range(6)
    ]
    for n, channel in enumerate(others * 2):
        effects.append((f"other{n}", "message", {"channel": channel, "text": f"{n}"}, None, None))
    enqueue_many(sessions, ticket_id, effects)
    clock = Clock()
    assert deliver(sessions, client, ticket_id, clock, playbook) == 3 + 20
    found = by_key(sessions, ticket_id)
    assert all(found[f"other{n}"].status == OutboxStatus.SENT for n in range(20))
    assert [found[f"busy{n}"].status for n in range(6)] == [OutboxStatus.SENT] * 3 + [
        OutboxStatus.PENDING
    ] * 3
    assert found["busy3"].last_error == "ratelimited"
    assert [found[f"busy{n}"].attempts for n in (4, 5)] == [0, 0], "the rest of its lane waits"
    clock.value = found["busy3"].next_attempt_at
    sim.ws.clock.advance(3)  # the simulator's own clock: its buckets fill again
    deliver(sessions, client, ticket_id, clock, playbook)
    assert [m["text"] for m in sim.messages(busy)] == [f"busy {n}" for n in range(6)]


def test_a_429_on_a_method_waits_that_method_out_and_nothing_else(world, sim, sessions, playbook):
    client, ticket_id, channel = world
    create = {"channel_row": 0, "name": "x", "is_private": False}
    effects = [(f"create{n}", "channel.create", create, None, None) for n in (0, 1)]
    effects += [(f"m{n}", "message", {"channel": channel, "text": "x"}, None, None) for n in (0, 1)]
    enqueue_many(sessions, ticket_id, effects)
    sim.faults.inject("conversations.create", "ratelimit", times=1, retry_after=30)
    clock = Clock()
    assert deliver(sessions, client, ticket_id, clock, playbook, threads=1) == 2
    creates = [c for c in sim.calls if c.method == "conversations.create"]
    assert len(creates) == 1, "the second create waits out the first one's Retry-After here"
    found = by_key(sessions, ticket_id)
    assert {found[f"create{n}"].last_error for n in (0, 1)} == {"ratelimited"}
    assert {found[f"create{n}"].next_attempt_at for n in (0, 1)} == {NOW + timedelta(seconds=30)}
    assert [found[f"m{n}"].status for n in (0, 1)] == [OutboxStatus.SENT] * 2


def test_dependent_effects_wait_for_their_upstream_while_other_lanes_go(
    world, sim, sessions, playbook
):
    client, ticket_id, channel = world
    with sessions() as db, db.begin():
        row = Channel(ticket_id=ticket_id, purpose="war_room", name="x", created_at=NOW)
        db.add(row)
        db.flush()
        channel_row = row.id
    topic = {"method": "conversations.setTopic", "args": {"topic": "Sev1"}}
    purpose = {"method": "conversations.setTopic", "args": {"topic": "Sev1, later"}}
    enqueue(sessions, ticket_id, "topic", "channel.call", topic, after="create")
    enqueue(sessions, ticket_id, "topic2", "channel.call", purpose, after="create")
    enqueue(sessions, ticket_id, "note", "message", {"channel": channel, "text": "meanwhile"})
    assert deliver(sessions, client, ticket_id, Clock(), playbook) == 1, "only the message"
    enqueue(
        sessions,
        ticket_id,
        "create",
        "channel.create",
        {"channel_row": channel_row, "name": "inc-lanes", "is_private": False},
    )
    assert deliver(sessions, client, ticket_id, Clock(), playbook) == 3
    methods = [(c.method, c.args.get("topic")) for c in sim.calls if c.method.startswith("conv")]
    assert methods == [
        ("conversations.create", None),
        ("conversations.setTopic", "Sev1"),
        ("conversations.setTopic", "Sev1, later"),
    ]


def test_lane_rule():
    assert outbox.lane(1, "card:7", None, {"channel": "C1"}) == ("stream", "card:7")
    assert outbox.lane(1, None, "k", {"channel": "C1"}) == ("channel", "C1", None)
    assert outbox.lane(1, None, None, {"channel": "C1", "user": "U1"}) == ("channel", "C1", "U1")
    assert outbox.lane(1, None, "k", {"method": "pins.add"}) == ("after", "k")
    assert outbox.lane(1, None, None, {}) == ("row", 1)
    assert len({outbox.lane(n, None, None, None) for n in range(3)}) == 3


def test_a_few_lanes_are_claimed_with_one_reading_and_recorded_with_the_next(
    world, sim, sessions, playbook
):
    """Two rows in two lanes (as a click's card update and thread notice): both are claimed
    in the transaction that reads what is pending, and recorded with the next round's
    reading: two transactions, where claiming and recording each on its own took six."""
    client, ticket_id, _ = world
    channels = [sim.add_channel(f"two-{n}") for n in range(2)]
    effects = [
        (f"m{n}", "message", {"channel": c, "text": f"m{n}"}, None, None)
        for n, c in enumerate(channels)
    ]
    enqueue_many(sessions, ticket_id, effects)
    engine, ended = sessions.kw["bind"], []

    def end(_conn):
        ended.append(1)

    event.listen(engine, "commit", end)
    event.listen(engine, "rollback", end)
    try:
        assert deliver(sessions, client, ticket_id, Clock(), playbook, threads=2) == 2
    finally:
        event.remove(engine, "commit", end)
        event.remove(engine, "rollback", end)
    found = by_key(sessions, ticket_id)
    assert [(found[k].status, found[k].attempts) for k in ("m0", "m1")] == [
        (OutboxStatus.SENT, 1)
    ] * 2
    assert all(found[k].result["ts"] and found[k].claimed_until is None for k in ("m0", "m1"))
    assert [[m["text"] for m in sim.messages(c)] for c in channels] == [["m0"], ["m1"]]
    assert len(ended) == 2


def test_a_row_that_cannot_be_recorded_holds_back_no_other_and_is_not_sent_twice(
    world, sim, sessions, playbook, monkeypatch
):
    client, ticket_id, _ = world
    good, bad = sim.add_channel("recorded"), sim.add_channel("unrecorded")
    effects = [("m0", "message", {"channel": good, "text": "a"}, None, None)]
    effects += [("m1", "message", {"channel": bad, "text": "b"}, None, None)]
    enqueue_many(sessions, ticket_id, effects)
    failures = [RuntimeError("the disk is full")] * 2  # recorded together, then alone

    def write_back(_db, _row, args, _answer):
        if args["channel"] == bad and failures:
            raise failures.pop()

    monkeypatch.setitem(KINDS, "message", replace(KINDS["message"], write_back=write_back))
    clock = Clock()
    assert deliver(sessions, client, ticket_id, clock, playbook, threads=2) == 1
    found = by_key(sessions, ticket_id)
    assert found["m0"].status == OutboxStatus.SENT
    assert found["m1"].status == OutboxStatus.PENDING and found["m1"].claimed_until > NOW
    clock.value += outbox.LEASE + timedelta(seconds=1)  # its lease runs out: looked for first
    assert deliver(sessions, client, ticket_id, clock, playbook) == 1
    found = by_key(sessions, ticket_id)
    assert found["m1"].status == OutboxStatus.SENT and found["m1"].result["adopted"]
    assert [m["text"] for m in sim.messages(bad)] == ["b"]
