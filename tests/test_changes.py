"""The change layer: a change commits the domain's events with the ticket's timers and its
effects, or nothing at all; the clock fires due timers through the same path."""

from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import func, select

from app import changes, deadlines, timer_changes
from app.errors import Forbidden
from app.models import OutboxMessage, Ticket, TimelineEvent
from app.playbook import parse_playbook
from app.runtime import Relay
from app.simulator import SlackSimulator
from tests.sla.test_escalation import MON_0900, open_sev3, uid
from tests.sla.test_people import removed, shipped_data


class Clock:
    def __init__(self, value):
        self.value = value

    def __call__(self):
        return self.value


@pytest.fixture
def relay(sessions, playbook):
    with SlackSimulator(signing_secret="s") as sim:
        client = WebClient(token=sim.bot_token, base_url=sim.api_url)
        yield Relay(playbook, sessions, client, now=Clock(MON_0900))


def opened(relay, playbook):
    with relay.sessions() as db, db.begin():
        ticket = open_sev3(db, playbook, now=MON_0900)
        changes.record_opening(db, playbook, ticket, now=MON_0900)
    return ticket


def timers_of(relay, ticket):
    with relay.sessions() as db:
        return deadlines.pending(db, "ticket", [ticket.id])[ticket.id]


def kinds_of(relay, ticket) -> list[str]:
    with relay.sessions() as db:
        stmt = select(TimelineEvent.kind).where(TimelineEvent.ticket_id == ticket.id)
        return list(db.scalars(stmt.order_by(TimelineEvent.id)))


def counts(relay, ticket):
    with relay.sessions() as db:
        events = db.scalar(select(func.count()).where(TimelineEvent.ticket_id == ticket.id))
        rows = db.scalar(select(func.count()).where(OutboxMessage.subject_id == ticket.id))
    return events, rows


def test_opening_arms_the_sla_timers(relay, playbook):
    ticket = opened(relay, playbook)
    assert timers_of(relay, ticket) == {
        "response.warning": ticket.response_warn_at,
        "response.breach": ticket.response_due_at,
        "resolution.warning": ticket.resolution_warn_at,
        "resolution.breach": ticket.resolution_due_at,
        # Sev3: an update every 480 business minutes (Payments 08:00-18:00 London, UTC in
        # November): opened Monday 09:00, due 17:00; overdue 240 business minutes later,
        # one hour on Monday and three on Tuesday from 08:00.
        "update.due": ticket.opened_at + timedelta(hours=8),
        "update.overdue": datetime(2026, 11, 24, 11, 0, tzinfo=UTC),
    }


def test_a_change_moves_the_timers_and_enqueues_its_effects(relay, playbook):
    ticket = opened(relay, playbook)
    amara = uid(playbook, "amara.okafor")
    change = changes.acknowledge(relay, ticket.key, by=amara)
    assert [e.kind for e in change.events] == ["acknowledged"]
    assert "response.breach" not in timers_of(relay, ticket), "the response clock stopped"
    with relay.sessions() as db:
        kinds = set(
            db.scalars(select(OutboxMessage.kind).where(OutboxMessage.subject_id == ticket.id))
        )
    assert {"card", "thread"} <= kinds


def test_a_refused_change_commits_nothing(relay, playbook):
    ticket = opened(relay, playbook)
    before = counts(relay, ticket), timers_of(relay, ticket)
    outsider = uid(playbook, "wei.lim")
    with pytest.raises(Forbidden):
        changes.acknowledge(relay, ticket.key, by=outsider)
    assert (counts(relay, ticket), timers_of(relay, ticket)) == before


def test_the_clock_fires_through_the_same_path_once(relay, playbook):
    ticket = opened(relay, playbook)
    relay.now.value = MON_0900 + timedelta(hours=6)
    timer_changes.fire_due_timers(relay)
    assert kinds_of(relay, ticket)[-3:] == ["sla.breached", "escalated", "handoff.offered"]
    fired_once = kinds_of(relay, ticket)
    timer_changes.fire_due_timers(relay)
    assert kinds_of(relay, ticket) == fired_once, "a second tick does nothing to it"
    timers = timers_of(relay, ticket)
    assert "response.breach" not in timers and "handoff.expiry" in timers


def test_one_ticket_the_clock_cannot_act_on_does_not_stop_the_others(relay, playbook):
    broken, fine = opened(relay, playbook), opened(relay, playbook)
    with relay.sessions() as db, db.begin():  # its policy lost the tier it climbs to
        ticket = db.get(Ticket, broken.id)
        tiers = {k: v for k, v in ticket.policy["tiers"].items() if k != "L2"}
        ticket.policy = {**ticket.policy, "tiers": tiers}
    late = MON_0900 + timedelta(hours=6)
    relay.now.value = late
    timer_changes.fire_due_timers(relay)
    assert kinds_of(relay, fine)[-3:] == ["sla.breached", "escalated", "handoff.offered"]
    assert kinds_of(relay, broken)[-1] == "clock.set_aside"
    assert "sla.breached" not in kinds_of(relay, broken), "nothing half-done was kept"
    assert min(timers_of(relay, broken).values()) == late + timer_changes.SET_ASIDE
    timer_changes.fire_due_timers(relay)
    assert kinds_of(relay, broken).count("clock.set_aside") == 1, "not again until then"


def test_catching_up_sends_only_the_handoff_that_still_stands(relay, playbook):
    ticket = opened(relay, playbook)
    relay.now.value = MON_0900 + timedelta(days=3)  # both clocks breached while no clock ran
    timer_changes.fire_due_timers(relay)
    kinds = kinds_of(relay, ticket)
    assert kinds.count("escalated") == 2 and kinds.count("handoff.offered") == 2
    with relay.sessions() as db:
        dms = db.scalars(
            select(OutboxMessage.payload).where(
                OutboxMessage.subject_id == ticket.id, OutboxMessage.idem_key.like("dm:%")
            )
        ).all()
    offered = [p for p in dms if "is handed to you" in p.get("text", "")]
    l3 = playbook.people["sofia.marin"].slack_id
    assert [p["channel"] for p in offered] == [l3], "only L3's offer still stands"
    assert "Sent late" in offered[0]["text"] and "Sent late" in str(offered[0]["blocks"])


def thread_rows(relay, ticket) -> list[str]:
    with relay.sessions() as db:
        stmt = select(OutboxMessage.payload).where(
            OutboxMessage.subject_id == ticket.id, OutboxMessage.kind == "thread"
        )
        return [p["text"] for p in db.scalars(stmt.order_by(OutboxMessage.id))]


def test_a_notice_on_time_is_not_marked_late_and_one_after_an_outage_is(relay, playbook):
    on_time, late = opened(relay, playbook), opened(relay, playbook)
    relay.now.value = on_time.response_warn_at
    timer_changes.fire_due_timers(relay)
    assert "warning" in thread_rows(relay, on_time)[-1]
    assert "Sent late" not in thread_rows(relay, on_time)[-1]
    relay.now.value = on_time.response_due_at + timedelta(hours=1)
    timer_changes.fire_due_timers(relay)
    assert "Sent late" in thread_rows(relay, late)[-1]


def test_after_a_playbook_edit_the_clock_hands_off_to_the_snapshotted_person(relay, playbook):
    ticket = opened(relay, playbook)  # Initech; L2 primary priya.shah
    data = removed(removed(shipped_data(), "priya.shah", "sofia.marin"), "initech")
    relay.playbook = parse_playbook(data)  # restarted on the edited playbook
    relay.now.value = MON_0900 + timedelta(hours=6)
    timer_changes.fire_due_timers(relay)
    assert kinds_of(relay, ticket)[-3:] == ["sla.breached", "escalated", "handoff.offered"]
    relay.deliver(("ticket", ticket.id))  # an empty workspace: only how rows fail matters
    with relay.sessions() as db:
        rows = db.scalars(select(OutboxMessage).where(OutboxMessage.subject_id == ticket.id))
        found = {r.idem_key: (r.last_error or "", r.payload) for r in rows}
    assert not [k for k, (error, _) in found.items() if error.startswith("unpreparable")]
    handed = [p for _, p in found.values() if "is handed to you" in p.get("text", "")]
    assert [p["channel"] for p in handed] == [playbook.people["priya.shah"].slack_id]
