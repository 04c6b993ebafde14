"""Outbox delivery against the simulator: order, write-back, retries, idempotency,
dependencies, and the effect kinds (card, thread, channel creation)."""

from dataclasses import replace
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy
from sqlalchemy import select

from app.effects import outbox
from app.effects.kinds import KINDS
from app.models import Channel, OutboxMessage, OutboxStatus, Ticket
from tests.conftest import NOW


class Clock:
    def __init__(self):
        self.value = NOW

    def __call__(self):
        return self.value


STREAMS = {"card": "card:{}", "thread": "thread:{}"}


def effect(ticket_id, key, kind, payload, stream=None, after=None) -> dict:
    """A row of the ticket's. Keys are unique across the shared test database, so they are
    made the ticket's own (`name(ticket_id, key)`); card and thread keys already are."""
    return outbox.row(
        key=name(ticket_id, key),
        kind=kind,
        payload=payload,
        now=NOW,
        subject=("ticket", ticket_id),
        stream=stream,
        after=name(ticket_id, after) if after else None,
    )


def enqueue(sessions, ticket_id, key, kind, payload, after=None):
    stream = STREAMS[kind].format(ticket_id) if kind in STREAMS else None
    with sessions() as db, db.begin():
        outbox.enqueue_rows(db, [effect(ticket_id, key, kind, payload, stream, after)])


def name(ticket_id: int, key: str) -> str:
    return key if key.startswith(("card:", "thread:")) else f"{ticket_id}/{key}"


def by_key(sessions, ticket_id) -> dict:
    return {r.idem_key.split("/")[-1]: r for r in rows(sessions, ticket_id)}


def rows(sessions, ticket_id):
    with sessions() as db:
        stmt = select(OutboxMessage).where(OutboxMessage.subject_id == ticket_id)
        return list(db.scalars(stmt.order_by(OutboxMessage.id)))


def deliver(sessions, client, ticket_id, clock, playbook):
    """Deliver what this test's ticket has pending (the database is shared by the tests)."""
    context = SimpleNamespace(playbook=playbook, now=clock)
    subject = ("ticket", ticket_id)
    return outbox.deliver(sessions, client, now=clock, context=context, subject=subject)


def test_card_posts_once_then_updates_in_place(world, sim, sessions, playbook):
    client, ticket_id, channel = world
    enqueue(sessions, ticket_id, f"card:{ticket_id}:1", "card", {"channel": channel})
    enqueue(sessions, ticket_id, f"card:{ticket_id}:1", "card", {"channel": "C0DUPLICATE"})
    enqueue(sessions, ticket_id, f"thread:{ticket_id}:2", "thread", {"text": "note"})
    clock = Clock()
    assert deliver(sessions, client, ticket_id, clock, playbook) == 2
    enqueue(sessions, ticket_id, f"card:{ticket_id}:3", "card", {"channel": channel})
    assert deliver(sessions, client, ticket_id, clock, playbook) == 1
    with sessions() as db:
        ticket = db.get(Ticket, ticket_id)
    top = [m for m in sim.messages(channel) if not m.get("thread_ts") or m["ts"] == m["thread_ts"]]
    assert len(top) == 1 and top[0]["text"].startswith(ticket.key)
    assert (ticket.card_channel, ticket.card_ts) == (channel, top[0]["ts"])
    assert [c.method for c in sim.calls if c.method == "chat.update"] == ["chat.update"]
    replies = [m for m in sim.messages(channel) if m.get("thread_ts") == ticket.card_ts]
    assert [m["text"] for m in replies if m["ts"] != ticket.card_ts] == ["note"]
    assert deliver(sessions, client, ticket_id, clock, playbook) == 0


def test_a_thread_post_waiting_for_its_card_goes_out_right_after_it(world, sim, sessions, playbook):
    """Its lane comes first (one thread): the post finds the card not posted and lets go of
    its row, so the next round of the same delivery sends it, not the lease's end."""
    client, ticket_id, channel = world
    enqueue(sessions, ticket_id, f"thread:{ticket_id}:1", "thread", {"text": "paged"})
    enqueue(sessions, ticket_id, f"card:{ticket_id}:2", "card", {"channel": channel})
    clock = Clock()
    context = SimpleNamespace(playbook=playbook, now=clock)
    subject = ("ticket", ticket_id)
    sent = outbox.deliver(sessions, client, now=clock, context=context, subject=subject, threads=1)
    assert sent == 2
    with sessions() as db:
        card_ts = db.get(Ticket, ticket_id).card_ts
    replies = [m for m in sim.messages(channel) if m.get("thread_ts") == card_ts]
    assert [m["text"] for m in replies if m["ts"] != card_ts] == ["paged"]


class Arriving:
    """A client that, on its first call, lets another change commit a row of the stream being
    delivered (that change's own delivery found the stream busy and left it)."""

    def __init__(self, client, arrive):
        self.client, self.arrive = client, arrive

    def __getattr__(self, name):
        method = getattr(self.client, name)

        def call(*args, **kwargs):
            arrive, self.arrive = self.arrive, None
            if arrive:
                arrive()
            return method(*args, **kwargs)

        return call


def test_a_row_arriving_while_its_stream_is_busy_goes_out_in_the_same_delivery(
    world, sim, sessions, playbook
):
    client, ticket_id, channel = world
    enqueue(sessions, ticket_id, f"card:{ticket_id}:1", "card", {"channel": channel})
    enqueue(sessions, ticket_id, f"thread:{ticket_id}:2", "thread", {"text": "paged"})
    late = lambda: enqueue(  # noqa: E731
        sessions, ticket_id, f"thread:{ticket_id}:3", "thread", {"text": "acknowledged"}
    )
    assert deliver(sessions, Arriving(client, late), ticket_id, Clock(), playbook) == 3
    assert {r.status for r in rows(sessions, ticket_id)} == {OutboxStatus.SENT}


def test_ratelimit_waits_retry_after_and_holds_later_rows(world, sim, sessions, playbook):
    client, ticket_id, channel = world
    sim.faults.inject("chat.postMessage", "ratelimit", times=1, retry_after=7)
    enqueue(sessions, ticket_id, f"card:{ticket_id}:1", "card", {"channel": channel})
    enqueue(sessions, ticket_id, f"thread:{ticket_id}:2", "thread", {"text": "note"})
    clock = Clock()
    assert deliver(sessions, client, ticket_id, clock, playbook) == 0
    first, second = rows(sessions, ticket_id)
    assert first.last_error == "ratelimited" and first.next_attempt_at == NOW + timedelta(seconds=7)
    assert second.status == OutboxStatus.PENDING and second.attempts == 0
    clock.value = NOW + timedelta(seconds=6)
    assert deliver(sessions, client, ticket_id, clock, playbook) == 0
    clock.value = NOW + timedelta(seconds=7)
    assert deliver(sessions, client, ticket_id, clock, playbook) == 2
    assert [r.status for r in rows(sessions, ticket_id)] == [OutboxStatus.SENT] * 2


def test_server_errors_back_off_then_succeed(world, sim, sessions, playbook):
    client, ticket_id, channel = world
    sim.faults.inject("chat.postMessage", "server_error", times=2)
    enqueue(sessions, ticket_id, f"card:{ticket_id}:1", "card", {"channel": channel})
    clock = Clock()
    deliver(sessions, client, ticket_id, clock, playbook)
    (row,) = rows(sessions, ticket_id)
    assert row.attempts == 1 and row.next_attempt_at == NOW + timedelta(seconds=1)
    clock.value += timedelta(seconds=1)
    deliver(sessions, client, ticket_id, clock, playbook)
    (row,) = rows(sessions, ticket_id)
    assert row.attempts == 2 and row.next_attempt_at == clock.value + timedelta(seconds=2)
    clock.value += timedelta(seconds=2)
    assert deliver(sessions, client, ticket_id, clock, playbook) == 1
    assert len(sim.messages(channel)) == 1


def test_permanent_error_is_recorded_not_retried(world, sim, sessions, playbook):
    client, ticket_id, _ = world
    enqueue(sessions, ticket_id, "bad", "message", {"channel": "C0NOSUCHCHAN", "text": "x"})
    deliver(sessions, client, ticket_id, Clock(), playbook)
    (row,) = rows(sessions, ticket_id)
    assert row.status == OutboxStatus.FAILED and row.last_error == "channel_not_found"


def test_card_rendered_at_delivery_covers_every_pending_card_row(world, sim, sessions, playbook):
    client, ticket_id, channel = world
    for n in (1, 2, 3):
        enqueue(sessions, ticket_id, f"card:{ticket_id}:{n}", "card", {"channel": channel})
    assert deliver(sessions, client, ticket_id, Clock(), playbook) == 1
    posted = [c for c in sim.calls if c.method in ("chat.postMessage", "chat.update")]
    with sessions() as db:
        key = db.get(Ticket, ticket_id).key
    assert len(posted) == 1 and posted[0].args["text"].startswith(key)
    first, _, last = rows(sessions, ticket_id)
    assert [r.status for r in rows(sessions, ticket_id)] == [OutboxStatus.SENT] * 3
    assert last.result == first.result == {"channel": channel, "ts": first.result["ts"]}


def outbox_updates(sessions, work) -> int:
    """How many UPDATEs of the outbox `work()` issued (claims and what was sent)."""
    updates = []

    def seen(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("UPDATE OUTBOX"):
            updates.append(statement)

    engine = sessions.kw["bind"]
    sqlalchemy.event.listen(engine, "before_cursor_execute", seen)
    try:
        work()
    finally:
        sqlalchemy.event.remove(engine, "before_cursor_execute", seen)
    return len(updates)


def test_rows_a_card_stood_for_are_not_claimed_again(world, sim, sessions, playbook):
    """Three clicks on a card before it is drawn: one claim, one send, and the rows it stood
    for marked with it; claiming each of them afterwards would only find them sent."""
    client, ticket_id, channel = world
    for n in (1, 2, 3):
        enqueue(sessions, ticket_id, f"card:{ticket_id}:{n}", "card", {"channel": channel})
    sent = []
    work = lambda: sent.append(deliver(sessions, client, ticket_id, Clock(), playbook))  # noqa: E731
    assert outbox_updates(sessions, work) == 3  # claim, sent, the rows it covered
    assert sent == [1]
    assert [r.status for r in rows(sessions, ticket_id)] == [OutboxStatus.SENT] * 3


def test_a_row_another_process_is_sending_holds_its_lane_untried(world, sim, sessions, playbook):
    """Two web workers deliver the same ticket's rows: the one that finds a row claimed (its
    lease running) leaves it and the rows after it to the other, without trying to claim."""
    client, ticket_id, channel = world
    for n in (1, 2):
        enqueue(sessions, ticket_id, f"card:{ticket_id}:{n}", "card", {"channel": channel})
    with sessions() as db, db.begin():
        mine = select(OutboxMessage).where(OutboxMessage.subject_id == ticket_id)
        claimed = db.scalars(mine.order_by(OutboxMessage.id)).first()
        claimed.claimed_until = NOW + timedelta(seconds=30)
    sent = []
    work = lambda: sent.append(deliver(sessions, client, ticket_id, Clock(), playbook))  # noqa: E731
    assert outbox_updates(sessions, work) == 0
    assert sent == [0] and not [c for c in sim.calls if c.method.startswith("chat.")]
    assert [r.status for r in rows(sessions, ticket_id)] == [OutboxStatus.PENDING] * 2


def test_an_effect_waits_for_the_one_it_depends_on(world, sim, sessions, playbook):
    client, ticket_id, channel = world
    enqueue(
        sessions,
        ticket_id,
        "topic",
        "channel.call",
        {"method": "conversations.setTopic", "args": {"topic": "Sev1"}},
        after="create",
    )
    assert deliver(sessions, client, ticket_id, Clock(), playbook) == 0, "nothing to wait for yet"
    [room] = new_channels(sessions, ticket_id, 1)
    enqueue(
        sessions,
        ticket_id,
        "create",
        "channel.create",
        {"channel_row": room, "name": "inc-esc-1-refunds", "is_private": False},
    )
    assert deliver(sessions, client, ticket_id, Clock(), playbook) == 2
    methods = [c.method for c in sim.calls]
    assert methods.index("conversations.create") < methods.index("conversations.setTopic")
    topic = [c for c in sim.calls if c.method == "conversations.setTopic"]
    with sessions() as db:
        made = db.get(Channel, room)
    assert topic[0].args["channel"] == made.slack_id


def new_channels(sessions, ticket_id, n) -> list[int]:
    """Rows for channels to create (ids from the shared database)."""
    with sessions() as db, db.begin():
        made = [
            Channel(ticket_id=ticket_id, purpose="war_room", name="x", created_at=NOW)
            for _ in range(n)
        ]
        db.add_all(made)
        db.flush()
        return [c.id for c in made]


def test_channel_creation_takes_a_suffix_when_the_name_is_taken(world, sim, sessions, playbook):
    client, ticket_id, _ = world
    sim.add_channel("inc-esc-7-refunds")
    sim.add_channel("inc-esc-7-refunds-2")
    long_name = "inc-esc-8-" + "x" * 75
    sim.add_channel(long_name[:80])
    seven_row, eight_row = new_channels(sessions, ticket_id, 2)
    enqueue(
        sessions,
        ticket_id,
        "create-7",
        "channel.create",
        {"channel_row": seven_row, "name": "inc-esc-7-refunds", "is_private": True},
    )
    enqueue(
        sessions,
        ticket_id,
        "create-8",
        "channel.create",
        {"channel_row": eight_row, "name": long_name, "is_private": False},
    )
    enqueue(
        sessions, ticket_id, "invite", "channel.invite", {"users": "U0NOBODY"}, after="create-7"
    )
    deliver(sessions, client, ticket_id, Clock(), playbook)
    with sessions() as db:
        seven, eight = db.get(Channel, seven_row), db.get(Channel, eight_row)
    assert seven.name == "inc-esc-7-refunds-3" and seven.slack_id
    assert len(eight.name) == 80 and eight.name.endswith("-2")
    assert sim.ws.channel(seven.slack_id).is_private
    invite = by_key(sessions, ticket_id)["invite"]
    assert invite.status == OutboxStatus.FAILED and invite.last_error == "user_not_found"


def test_a_change_committed_while_its_card_is_drawn_is_not_covered(
    world, sim, sessions, playbook, monkeypatch
):
    """On PostgreSQL another process can commit a change (and its card row) while a card is
    being drawn: that change is on the next card sent, never marked sent by this one."""
    if sessions.kw["bind"].dialect.name != "postgresql":
        pytest.skip("SQLite lets no other transaction commit while a card is drawn")
    client, ticket_id, channel = world
    enqueue(sessions, ticket_id, f"card:{ticket_id}:1", "card", {"channel": channel})
    card = KINDS["card"]

    def drawn_while_a_change_commits(db, row, upstream, context):
        args = card.prepare(db, row, upstream, context)
        if row.idem_key.endswith(":1"):
            with sessions() as other, other.begin():
                other.get(Ticket, ticket_id).title = "Refunds failing in every region"
                outbox.enqueue_rows(
                    other,
                    [
                        effect(
                            ticket_id,
                            f"card:{ticket_id}:2",
                            "card",
                            {"channel": channel},
                            f"card:{ticket_id}",
                        )
                    ],
                )
        return args

    monkeypatch.setitem(KINDS, "card", replace(card, prepare=drawn_while_a_change_commits))
    assert deliver(sessions, client, ticket_id, Clock(), playbook) == 2
    posted = [c for c in sim.calls if c.method in ("chat.postMessage", "chat.update")]
    assert "every region" not in posted[0].args["text"]
    assert "every region" in posted[-1].args["text"]
