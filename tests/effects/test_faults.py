"""Delivery under Slack faults: nothing transient drops an effect, nothing permanent fails
silently, an answer lost on the way never makes a second post, and the card ends showing
what was committed."""

import threading
from datetime import timedelta

from sqlalchemy import select

from app import changes
from app.models import OutboxMessage, OutboxStatus, Ticket, TimelineEvent
from tests.conftest import NOW
from tests.effects.test_outbox import Clock, by_key, deliver, enqueue, name, rows


def opened(sim, sessions, playbook, ticket_id):
    """The ticket's card and the reporter's confirmation, as opening enqueues them."""
    with sessions() as db, db.begin():
        ticket = db.get(Ticket, ticket_id)
        sim.add_user("reporter", id=ticket.reporter_id)
        changes.record_opening(db, playbook, ticket, now=NOW)


def top_level(sim, channel):
    return [m for m in sim.messages(channel) if m.get("thread_ts", m["ts"]) == m["ts"]]


def test_a_long_outage_delays_the_card_and_its_confirmation_but_drops_neither(
    world, sim, sessions, playbook
):
    client, ticket_id, channel = world
    opened(sim, sessions, playbook, ticket_id)
    sim.faults.inject("chat.postMessage", "server_error", times=12, status=503)
    clock = Clock()
    for _ in range(60):  # an hour of clock ticks through a 37-minute outage
        deliver(sessions, client, ticket_id, clock, playbook)
        clock.value += timedelta(minutes=1)
    card_and_confirmation = [
        r for r in rows(sessions, ticket_id) if r.kind == "card" or r.idem_key.startswith("confirm")
    ]
    # the card and the confirmation (an agent's Sev1: its war room, and the card update that
    # links it, wait for an approver)
    assert sorted(r.idem_key.startswith("confirm") for r in card_and_confirmation) == [
        False,
        True,
    ]
    assert {r.status for r in card_and_confirmation} == {OutboxStatus.SENT}
    assert len(top_level(sim, channel)) == 1
    posts = [c.args for c in sim.calls if c.method == "chat.postMessage" and c.ok]
    card = next(n for n, args in enumerate(posts) if args.get("channel") == channel)
    confirm = next(n for n, args in enumerate(posts) if "confirm" in str(args.get("metadata")))
    assert card < confirm, "the confirmation, which names the card's channel, comes after it"


def test_rate_limits_are_waited_out_however_many(world, sim, sessions, playbook):
    client, ticket_id, channel = world
    enqueue(sessions, ticket_id, f"card:{ticket_id}:1", "card", {"channel": channel})
    sim.faults.inject("chat.postMessage", "ratelimit", times=12, retry_after=1)
    clock = Clock()
    for _ in range(14):
        deliver(sessions, client, ticket_id, clock, playbook)
        clock.value += timedelta(seconds=1)
    (card,) = rows(sessions, ticket_id)
    assert card.status == OutboxStatus.SENT and card.attempts == 13


def test_a_permanent_error_is_final_and_on_the_timeline(world, sim, sessions, playbook):
    client, ticket_id, _ = world
    enqueue(sessions, ticket_id, "nowhere", "message", {"channel": "C0NOSUCHCHAN", "text": "x"})
    enqueue(sessions, ticket_id, "then", "channel.call", {"method": "pins.add"}, after="nowhere")
    deliver(sessions, client, ticket_id, Clock(), playbook)
    deliver(sessions, client, ticket_id, Clock(), playbook)
    found = {k: (r.status, r.last_error) for k, r in by_key(sessions, ticket_id).items()}
    assert found == {
        "nowhere": (OutboxStatus.FAILED, "channel_not_found"),
        "then": (OutboxStatus.FAILED, "upstream_failed"),
    }
    with sessions() as db:
        noted = db.scalars(
            select(TimelineEvent.after).where(
                TimelineEvent.ticket_id == ticket_id, TimelineEvent.kind == "slack.failed"
            )
        ).all()
    assert {"effect": "message", "error": "channel_not_found"} in noted
    assert all("text" not in str(n) for n in noted)


def test_an_ephemeral_where_relay_is_not_becomes_a_dm(world, sim, sessions, playbook):
    client, ticket_id, _ = world
    user = sim.add_user("zoe")
    elsewhere = sim.add_channel("no-relay-here", members=[user], bot_member=False)
    enqueue(
        sessions,
        ticket_id,
        "confirm",
        "ephemeral",
        {"channel": elsewhere, "user": user, "text": "Opened ESC-1"},
    )
    assert deliver(sessions, client, ticket_id, Clock(), playbook) == 1
    dm = sim.dm_channel(user)
    assert [m["text"] for m in sim.messages(dm)] == ["Opened ESC-1"]


def test_a_post_whose_answer_was_lost_is_adopted_not_repeated(world, sim, sessions, playbook):
    client, ticket_id, channel = world
    reporter = sim.add_user("lee")
    enqueue(sessions, ticket_id, f"card:{ticket_id}:1", "card", {"channel": channel})
    enqueue(sessions, ticket_id, "dm", "message", {"channel": reporter, "text": "hello"})
    sim.faults.inject("chat.postMessage", "lost", times=2)
    clock = Clock()
    assert deliver(sessions, client, ticket_id, clock, playbook) == 0
    clock.value += timedelta(seconds=5)
    assert deliver(sessions, client, ticket_id, clock, playbook) == 2
    (card,) = top_level(sim, channel)
    with sessions() as db:
        assert db.get(Ticket, ticket_id).card_ts == card["ts"]
    assert len(sim.messages(sim.dm_channel(reporter))) == 1
    assert all(r.result.get("adopted") for r in rows(sessions, ticket_id))


def test_a_sender_killed_after_posting_is_adopted_not_repeated(world, sim, sessions, playbook):
    client, ticket_id, channel = world
    key = f"thread:{ticket_id}:9"
    enqueue(sessions, ticket_id, f"card:{ticket_id}:1", "card", {"channel": channel})
    deliver(sessions, client, ticket_id, Clock(), playbook)
    enqueue(sessions, ticket_id, key, "thread", {"text": "Breached"})
    with sessions() as db, db.begin():  # it was claimed, sent, and then its process died
        ticket = db.get(Ticket, ticket_id)
        meta = {"event_type": "relay_effect", "event_payload": {"key": key}}
        client.chat_postMessage(
            channel=channel, thread_ts=ticket.card_ts, text="Breached", metadata=meta
        )
        row = db.scalar(select(OutboxMessage).where(OutboxMessage.idem_key == key))
        row.claimed_until = NOW - timedelta(seconds=1)
    assert deliver(sessions, client, ticket_id, Clock(), playbook) == 1
    replies = [m for m in sim.messages(channel) if m.get("thread_ts") and m["text"] == "Breached"]
    assert len(replies) == 1


def test_a_post_buried_under_later_ones_is_still_found(world, sim, sessions, playbook):
    """Delivery of other tickets keeps posting to one person while a dead sender's DM waits
    out its lease (seen in the kill loop: 100 later DMs buried it); it is found, not resent."""
    client, ticket_id, _ = world
    person = sim.add_user("lee")
    key = name(ticket_id, "dm")
    enqueue(sessions, ticket_id, "dm", "message", {"channel": person, "text": "handed to you"})
    meta = {"event_type": "relay_effect", "event_payload": {"key": key}}
    client.chat_postMessage(channel=person, text="handed to you", metadata=meta)  # then it died
    for n in range(150):
        client.chat_postMessage(channel=person, text=f"another ticket {n}")
    with sessions() as db, db.begin():
        row = db.scalar(select(OutboxMessage).where(OutboxMessage.idem_key == key))
        row.claimed_until = NOW - timedelta(seconds=1)
    assert deliver(sessions, client, ticket_id, Clock(), playbook) == 1
    texts = [m["text"] for m in sim.messages(sim.dm_channel(person))]
    assert texts.count("handed to you") == 1
    assert by_key(sessions, ticket_id)["dm"].result["adopted"]


def test_the_card_ends_showing_what_was_committed_last(world, sim, sessions, playbook):
    client, ticket_id, channel = world
    enqueue(sessions, ticket_id, f"card:{ticket_id}:1", "card", {"channel": channel})
    sim.faults.inject("chat.postMessage", "slow", delay=0.5)
    clock = Clock()
    first = threading.Thread(target=deliver, args=(sessions, client, ticket_id, clock, playbook))
    first.start()
    sim.wait_for(lambda: sim.ws.in_flight, what="the first card post to be on its way")
    owner = playbook.people["priya.shah"].slack_id
    with sessions() as db, db.begin():  # another change commits while the card is posted
        db.get(Ticket, ticket_id).owner_id = owner
    enqueue(sessions, ticket_id, f"card:{ticket_id}:2", "card", {"channel": channel})
    assert deliver(sessions, client, ticket_id, clock, playbook) == 0, (
        "the stream is busy elsewhere"
    )
    first.join(timeout=10)
    (card,) = top_level(sim, channel)
    assert f"<@{owner}>" in str(card["blocks"])


def test_a_row_that_cannot_be_rendered_stops_nothing_else(world, sim, sessions, playbook):
    client, ticket_id, channel = world
    with sessions() as db, db.begin():  # its escalation type was removed from the playbook
        ticket = db.get(Ticket, ticket_id)
        kind, ticket.escalation_type = ticket.escalation_type, "gone-type"
    enqueue(sessions, ticket_id, f"card:{ticket_id}:1", "card", {"channel": channel})
    enqueue(sessions, ticket_id, "dm", "message", {"channel": channel, "text": "still sent"})
    try:
        assert deliver(sessions, client, ticket_id, Clock(), playbook) == 1
    finally:  # the database is shared: other tests list this reporter's tickets
        with sessions() as db, db.begin():
            db.get(Ticket, ticket_id).escalation_type = kind
    found = {k: (r.status, r.last_error) for k, r in by_key(sessions, ticket_id).items()}
    assert found[f"card:{ticket_id}:1"] == (OutboxStatus.FAILED, "unpreparable:KeyError")
    assert found["dm"] == (OutboxStatus.SENT, None)
