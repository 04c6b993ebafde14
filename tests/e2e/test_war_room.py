"""A Sev1 declared by an agent through the web process: an approver approves from the DM
(a second click changes nothing), the war room opens once; a :pushpin: or a pin in it puts
the message on the timeline once, however often Slack redelivers the event."""

from sqlalchemy import select

from app.models import Channel, TimelineEvent
from tests.e2e.test_intake import open_via_command


def events(sessions, ticket, kind):
    with sessions() as db:
        stmt = select(TimelineEvent).where(
            TimelineEvent.ticket_id == ticket.id, TimelineEvent.kind == kind
        )
        return list(db.scalars(stmt.order_by(TimelineEvent.id)))


def room_of(sim, sessions, ticket):
    def made():
        with sessions() as db:
            row = db.scalar(select(Channel).where(Channel.ticket_id == ticket.id))
        return row if row is not None and row.slack_id else None

    return sim.wait_for(made, what="the war room is made")


def approval_dm(sim, approver, key):
    def asked():
        channel = sim.dm_channel(approver)
        found = [m for m in sim.messages(channel) if key in m.get("text", "")] if channel else []
        return found[-1] if found else None

    return sim.wait_for(asked, what="the approver's DM")


def test_an_approver_approves_from_the_dm_and_a_pin_is_captured_once(web, sim, ws, sessions):
    agent, helen = ws.users["amara.okafor"], ws.users["helen.carter"]
    _, ticket = open_via_command(sim, ws, sessions, agent, "Checkout outage everywhere")
    dm = approval_dm(sim, helen, ticket.key)
    sim.settle()
    with sessions() as db:
        assert db.scalar(select(Channel).where(Channel.ticket_id == ticket.id)) is None
    for _ in range(2):  # a double click
        channel = sim.dm_channel(helen)
        answer = sim.click(helen, "approval_approve", channel_id=channel, ts=dm["ts"])
        assert answer.status == 200
    room = room_of(sim, sessions, ticket)
    sim.settle()
    assert len(events(sessions, ticket, "approval.approved")) == 1
    assert (
        len(
            [
                c
                for c in sim.calls
                if c.method == "conversations.create" and ticket.key.lower() in str(c.args)
            ]
        )
        == 1
    )
    told = [o.text for o in sim.seen_by(helen) if ticket.key in (o.text or "")]
    assert any("already approved" in t for t in told), "the second click is told so"

    ts = sim.post_as_user(agent, room.slack_id, "Failover done, mail ops@acme.example <!channel>")
    first = sim.react(helen, room.slack_id, ts, "pushpin", retries=2)
    assert first.status == 200 and [r.status for r in first.retried] == [200, 200]
    sim.pin(agent, room.slack_id, ts, retries=1)
    sim.react(agent, room.slack_id, ts, "eyes")  # not a capture
    sim.wait_for(lambda: events(sessions, ticket, "pin.captured"), what="the capture")
    sim.settle()
    [captured] = events(sessions, ticket, "pin.captured")
    assert set(captured.after) == {"text", "author", "ts", "permalink", "channel"}
    assert captured.after["ts"] == ts and captured.after["author"] == agent
    assert captured.after["channel"] == room.slack_id and captured.actor_id == helen
    assert "ops@acme.example" not in captured.after["text"]
    assert "[redacted: email]" in captured.after["text"]
    assert captured.after["permalink"].startswith("https://")


def test_a_pin_outside_any_war_room_is_not_captured(web, sim, ws, sessions):
    agent = ws.users["amara.okafor"]
    ts = sim.post_as_user(agent, ws.channels["support"], "Just chatting")
    before = len(sim.calls)
    assert sim.react(agent, ws.channels["support"], ts, "pushpin").status == 200
    sim.settle()
    assert not [c for c in sim.calls[before:] if c.method == "conversations.history"]
