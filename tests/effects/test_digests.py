"""DMs to one person waiting at once go out as one digest message: in order, each once,
within Slack's limits for a message, found again after a lost answer, and alone again
after a failure."""

from collections import Counter
from datetime import timedelta

from app.effects import digests
from app.models import OutboxStatus
from tests.effects.test_lanes import deliver, enqueue_many
from tests.effects.test_outbox import Clock, rows


def dms(person: str, texts: list[str], **extra) -> list[tuple]:
    return [
        (f"dm-{person}-{n}", "message", {"channel": person, "text": t, **extra}, None, None)
        for n, t in enumerate(texts)
    ]


def conversation(sim, person: str) -> list[dict]:
    return sim.messages(sim.dm_channel(person))


def test_a_storm_of_dms_to_one_person_arrives_as_one_message(world, sim, sessions, playbook):
    client, ticket_id, _ = world
    lee, kim = sim.add_user("lee"), sim.add_user("kim")
    texts = [f"Ticket {n} breached and is handed to you" for n in range(5)]
    enqueue_many(sessions, ticket_id, dms(lee, texts) + dms(kim, ["Only one for Kim"]))
    assert deliver(sessions, client, ticket_id, Clock(), playbook) == 6
    (digest,) = conversation(sim, lee)
    assert digest["text"] == "\n\n".join(texts), "every notice, in the order they were made"
    assert not digest.get("blocks"), "plain DMs make a plain digest"
    keys = digest["metadata"]["event_payload"]["keys"]
    assert keys == [f"{ticket_id}/dm-{lee}-{n}" for n in range(5)]
    assert [m["text"] for m in conversation(sim, kim)] == ["Only one for Kim"]
    assert {r.status for r in rows(sessions, ticket_id)} == {OutboxStatus.SENT}


def test_a_few_dms_at_once_still_go_one_by_one(world, sim, sessions, playbook):
    client, ticket_id, _ = world
    lee = sim.add_user("lee")
    texts = [f"Notice {n}" for n in range(digests.FROM - 1)]
    enqueue_many(sessions, ticket_id, dms(lee, texts))
    assert deliver(sessions, client, ticket_id, Clock(), playbook) == len(texts)
    assert [m["text"] for m in conversation(sim, lee)] == texts


def test_buttons_are_kept_and_a_digest_stays_within_one_messages_limits(
    world, sim, sessions, playbook
):
    client, ticket_id, _ = world
    lee = sim.add_user("lee")
    accept = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "Ticket handed to you"}},
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": "accept",
                    "value": "1",
                    "text": {"type": "plain_text", "text": "Accept"},
                }
            ],
        },
    ]
    effects = dms(lee, [f"Breach {n}" for n in range(30)])
    effects[1][2]["blocks"] = accept  # one of them asks for a click
    enqueue_many(sessions, ticket_id, effects)
    assert deliver(sessions, client, ticket_id, Clock(), playbook) == 30
    posted = conversation(sim, lee)
    assert len(posted) == 2, "30 DMs: more than one message may carry"
    parts = [m["text"].split("\n\n") for m in posted]
    assert sum(parts, []) == [f"Breach {n}" for n in range(30)]
    assert all(len(m.get("blocks") or []) <= digests.MOST_BLOCKS for m in posted)
    buttons = [e for b in posted[0]["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["action_id"] for b in buttons] == ["accept"]
    assert posted[0]["blocks"][0]["text"]["text"] == "Breach 0", "a text part becomes a section"


def test_a_digest_whose_answer_was_lost_is_found_not_sent_again(world, sim, sessions, playbook):
    client, ticket_id, _ = world
    lee = sim.add_user("lee")
    enqueue_many(sessions, ticket_id, dms(lee, [f"Breach {n}" for n in range(5)]))
    sim.faults.inject("chat.postMessage", "lost")
    clock = Clock()
    assert deliver(sessions, client, ticket_id, clock, playbook) == 0
    clock.value += timedelta(minutes=1)
    assert deliver(sessions, client, ticket_id, clock, playbook) == 5
    (digest,) = conversation(sim, lee)
    assert digest["text"].count("Breach") == 5
    assert all(r.result.get("adopted") for r in rows(sessions, ticket_id))


def test_a_digest_held_back_by_slack_goes_out_whole_later(world, sim, sessions, playbook):
    client, ticket_id, _ = world
    lee = sim.add_user("lee")
    texts = [f"Breach {n}" for n in range(5)]
    enqueue_many(sessions, ticket_id, dms(lee, texts))
    sim.faults.inject("chat.postMessage", "ratelimit", retry_after=30)
    sim.faults.inject("chat.postMessage", "server_error", status=503)
    clock = Clock()
    for _ in range(2):
        assert deliver(sessions, client, ticket_id, clock, playbook) == 0
        clock.value += timedelta(seconds=30)
    assert deliver(sessions, client, ticket_id, clock, playbook) == 5
    assert [m["text"] for m in conversation(sim, lee)] == ["\n\n".join(texts)]


def test_a_digest_slack_refuses_goes_out_part_by_part(world, sim, sessions, playbook, monkeypatch):
    """Were a digest ever refused (here one too long: its limit raised past Slack's), its
    DMs still arrive, each once, alone."""
    client, ticket_id, _ = world
    lee = sim.add_user("lee")
    monkeypatch.setattr(digests, "MOST_BLOCKS", 200)
    long = [{"type": "section", "text": {"type": "mrkdwn", "text": "line"}}] * 20
    texts = [f"Breach {n}" for n in range(5)]
    enqueue_many(sessions, ticket_id, dms(lee, texts, blocks=long))
    clock = Clock()
    assert deliver(sessions, client, ticket_id, clock, playbook) == 0
    refused = [c for c in sim.calls if c.method == "chat.postMessage" and not c.ok]
    assert len(refused) == 1 and len(refused[0].args["blocks"]) == 5 * 20 + 4
    clock.value += timedelta(minutes=1)
    assert deliver(sessions, client, ticket_id, clock, playbook) == 5
    assert [m["text"] for m in conversation(sim, lee)] == texts
    posted = Counter(c.args["text"] for c in sim.calls if c.method == "chat.postMessage" and c.ok)
    assert set(posted.values()) == {1}, "none twice"
