"""The durable clock: ticks act on each due event once, catch up after an outage, on
PostgreSQL survive racing clock processes and a SIGKILL mid-tick, and outlive a failing tick
and a database that is away."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy
import structlog
from slack_sdk import WebClient
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from structlog.testing import capture_logs

from app import changes, clock, replays, timer_changes
from app import db as relay_db
from app.clock import TickResult, contained_tick, tick
from app.drills.workspace import seed_workspace
from app.inserts import store_new
from app.models import OutboxMessage, OutboxStatus, SeenRequest, Ticket, TimelineEvent
from app.runtime import Relay
from app.simulator import SlackSimulator
from app.tickets.timeline import add_event, timeline
from tests.conftest import PLAYBOOK, ROOT
from tests.processes import playbook_without_rooms
from tests.sla.test_escalation import MON_0900, open_sev3, uid


class Clock:
    def __init__(self, value):
        self.value = value

    def __call__(self):
        return self.value


@pytest.fixture
def scratch_url(fresh_url):
    """A database of its own: ticks act on every due ticket in the database."""
    return fresh_url


@pytest.fixture
def sim(playbook):
    with SlackSimulator(signing_secret="clock-tests") as sim:
        seed_workspace(sim, playbook)
        yield sim


@pytest.fixture
def relay(scratch_url, sim, playbook):
    engine = relay_db.make_engine(scratch_url)
    client = WebClient(token=sim.bot_token, base_url=sim.api_url)
    yield Relay(playbook, relay_db.make_sessionmaker(engine), client, now=Clock(MON_0900))
    engine.dispose()


def open_with_card(relay, playbook, *, now, **overrides):
    with relay.sessions() as db, db.begin():
        ticket = open_sev3(db, playbook, now=now, **overrides)
        changes.record_opening(db, playbook, ticket, now=now)
        return ticket.id, ticket.key


def dms_to(sim, user_id, needle):
    channel = sim.dm_channel(user_id)
    return [m for m in sim.messages(channel) if needle in m.get("text", "")] if channel else []


def pending(relay) -> int:
    with relay.sessions() as db:
        where = OutboxMessage.status == OutboxStatus.PENDING
        return db.scalar(select(func.count()).select_from(OutboxMessage).where(where))


def events_of(relay, ticket_id, kind):
    with relay.sessions() as db:
        stmt = select(func.count()).where(
            TimelineEvent.ticket_id == ticket_id, TimelineEvent.kind == kind
        )
        return db.scalar(stmt)


def test_tick_warns_once_and_a_second_tick_does_nothing(relay, sim, playbook):
    ticket_id, key = open_with_card(relay, playbook, now=MON_0900)
    tick(relay)
    relay.now.value = MON_0900 + timedelta(hours=3)
    first = tick(relay)
    assert first.events == 1 and first.sent >= 2  # DM, thread notice, card update
    second = tick(relay)
    assert (second.tickets, second.events, second.sent) == (0, 0, 0)
    amara = uid(playbook, "amara.okafor")
    assert len(dms_to(sim, amara, f":warning: *{key}*")) == 1
    assert events_of(relay, ticket_id, "sla.warning") == 1


def test_new_work_is_not_stuck_behind_a_backlog(relay, sim, playbook):
    _, fresh = open_with_card(relay, playbook, now=MON_0900)
    later = MON_0900 + timedelta(hours=2)
    for n in range(30):  # a backlog: cards and confirmations nobody has sent yet
        open_with_card(relay, playbook, now=later, title=f"Backlog {n}")
    sim.faults.inject("chat.postMessage", "slow", times=10_000, delay=0.2)
    relay.now.value = later
    assert tick(relay, budget=0.5).sent > 0
    assert pending(relay) > 0, "the budget ends a tick's delivery early"
    relay.now.value = MON_0900 + timedelta(hours=3)  # only the first ticket's warning is due
    tick(relay, budget=0.5)
    amara = uid(playbook, "amara.okafor")
    assert len(dms_to(sim, amara, f":warning: *{fresh}*")) == 1, "sent ahead of the backlog"
    sim.faults.clear()


def test_tick_after_an_outage_catches_up_once(relay, sim, playbook):
    ticket_id, key = open_with_card(relay, playbook, now=MON_0900)
    relay.now.value = MON_0900 + timedelta(hours=7)  # no tick for seven hours
    result = tick(relay)
    assert result.events == 3  # breached, escalated, handoff offered; the stale warning is skipped
    assert tick(relay).events == 0
    assert events_of(relay, ticket_id, "sla.warning") == 0
    assert len(dms_to(sim, uid(playbook, "priya.shah"), "is handed to you")) == 1
    with relay.sessions() as db:
        assert db.get(Ticket, ticket_id).tier == "L2"


def test_an_ack_after_a_breach_settles_the_handoff_and_no_further_dm_goes_out(relay, sim, playbook):
    ticket_id, key = open_with_card(relay, playbook, now=MON_0900)
    relay.now.value = MON_0900 + timedelta(hours=4)  # the response breach: offered to L2
    assert tick(relay).events == 3
    assert len(dms_to(sim, uid(playbook, "priya.shah"), "is handed to you")) == 1
    change = changes.acknowledge(relay, key, by=uid(playbook, "amara.okafor"))  # not the target
    assert [e.kind for e in change.events] == ["acknowledged", "handoff.settled"]
    relay.now.value += timedelta(days=1)  # long past every handoff deadline
    tick(relay)
    assert events_of(relay, ticket_id, "handoff.expired") == 0
    assert events_of(relay, ticket_id, "handoff.offered") == 1
    for handle in ("lukas.becker", "james.whitfield"):  # L2 secondary, then the manager
        assert dms_to(sim, uid(playbook, handle), "is handed to you") == []


def test_tick_cost_reads_only_what_is_due(relay, playbook):
    for _ in range(5):
        open_with_card(relay, playbook, now=MON_0900 + timedelta(days=1))
    open_with_card(relay, playbook, now=MON_0900)
    tick(relay)
    relay.now.value = MON_0900 + timedelta(hours=3)
    assert tick(relay).tickets == 1


# -- real clock processes (PostgreSQL: SKIP LOCKED claims; SQLite: the write lock) ---------


def due_now(relay, playbook, count, batch=""):
    """`count` Sev1 tickets opened two hours ago (24x7): their response breach is due.
    Declared by an approver, so that their war rooms open without an approval gate."""
    opened = datetime.now(UTC) - timedelta(hours=2)
    ids = []
    with relay.sessions() as db, db.begin():
        for n in range(count):
            ticket = open_sev3(
                db,
                playbook,
                now=opened,
                title=f"Checkout outage {n}",
                impact="all users",
                intake_id=f"V0CLOCK{batch}{n}",
                reporter_id=uid(playbook, "rachel.stone"),
            )
            assert ticket.severity == 1
            changes.record_opening(db, playbook, ticket, now=opened)
            ids.append(ticket.id)
    return ids


def channel_reads(relay, playbook, count) -> tuple[int, int]:
    """Statements reading `channels` while the clock decides `count` due Sev1 tickets with
    war rooms, and how many of them got a topic refresh in their war room."""
    relay.now.value = datetime.now(UTC)
    ids = due_now(relay, playbook, count)
    reads = []

    def seen(conn, cursor, statement, *args):
        reads.append(statement) if "FROM channels" in statement else None

    engine = relay.sessions.kw["bind"]
    sqlalchemy.event.listen(engine, "before_cursor_execute", seen)
    try:
        fired, _ = timer_changes.fire_due_timers(relay)
    finally:
        sqlalchemy.event.remove(engine, "before_cursor_execute", seen)
    assert set(ids) <= set(fired)
    with relay.sessions() as db:
        topics = db.scalar(
            select(func.count(OutboxMessage.subject_id.distinct())).where(
                OutboxMessage.kind == "channel.topic",
                OutboxMessage.subject_id.in_(ids),
                OutboxMessage.created_at > relay.now.value - timedelta(minutes=1),
            )
        )
    return len(reads), topics


@pytest.mark.parametrize("count", [2, 12])
def test_the_clock_reads_war_rooms_once_per_batch_not_once_per_ticket(relay, playbook, count):
    """The response breaches of 2 or of 12 Sev1 tickets cost the same two reads of the war
    rooms (the decision must stay fast with many due), and each war room hears of it."""
    assert channel_reads(relay, playbook, count) == (2, count)


def reads_while_deciding(relay, playbook, count, tables) -> int:
    """SELECTs of these tables while the clock decides `count` due Sev1 tickets (their
    response breach and their update cadence are due)."""
    relay.now.value = datetime.now(UTC)
    ids = due_now(relay, playbook, count, batch=f"B{count}")
    reads = []

    def seen(conn, cursor, statement, *args):
        named = statement.startswith("SELECT") and any(f"FROM {t}" in statement for t in tables)
        reads.append(statement) if named else None

    engine = relay.sessions.kw["bind"]
    sqlalchemy.event.listen(engine, "before_cursor_execute", seen)
    try:
        fired, _ = timer_changes.fire_due_timers(relay)
    finally:
        sqlalchemy.event.remove(engine, "before_cursor_execute", seen)
    assert sorted(fired) == sorted(ids)
    return len(reads)


def test_the_clock_reads_reviews_and_cadences_once_per_batch_not_once_per_ticket(relay, playbook):
    """12 due tickets cost the same reads of reviews and update cadences as 2 (the decision
    must stay fast with many due), while their update reminders still go out."""
    tables = ("reviews", "update_cadences")
    many = reads_while_deciding(relay, playbook, 12, tables)
    assert many == reads_while_deciding(relay, playbook, 2, tables)
    assert many <= 3
    with relay.sessions() as db:
        reminded = select(func.count()).where(TimelineEvent.kind == "update.reminder")
        assert db.scalar(reminded) == 14


def test_a_clock_batch_stores_each_event_once_in_the_order_it_happened(relay, playbook):
    """A batch's events are inserted before the flush (app/inserts.py, store_new): each is
    stored once, and every ticket's timeline reads as it happened."""
    ids = [open_with_card(relay, playbook, now=MON_0900)[0] for _ in range(3)]
    with relay.sessions() as db:
        before = db.scalar(select(func.count()).select_from(TimelineEvent))
    relay.now.value = MON_0900 + timedelta(hours=7)
    fired, found = timer_changes.fire_due_timers(relay)
    assert sorted(fired) == sorted(ids) and found == 3 * 3
    with relay.sessions() as db:
        assert db.scalar(select(func.count()).select_from(TimelineEvent)) == before + found
        for ticket in db.scalars(select(Ticket).where(Ticket.id.in_(ids))):
            kinds = [e.kind for e in timeline(db, ticket)]
            assert kinds[-3:] == ["sla.breached", "escalated", "handoff.offered"]


def test_events_stored_before_the_flush_keep_what_json_cannot_carry(relay, playbook):
    """An event whose details hold a NUL (text pasted from a terminal) is stored as it was:
    json_populate_recordset cannot read it, so those rows go in one by one."""
    ticket_id, _ = open_with_card(relay, playbook, now=MON_0900)
    details = [{"text": "first"}, {"text": "a NUL \x00 pasted in"}]
    with relay.sessions() as db, db.begin():
        ticket = db.get(Ticket, ticket_id)
        made = [
            add_event(db, ticket, kind="note", by=None, now=MON_0900, after=after)
            for after in details
        ]
        store_new(db, made)
        db.flush()  # as the clock does: what store_new left (all of it on SQLite) goes now
        assert made[0].id < made[1].id
    with relay.sessions() as db:
        stored = [e.after for e in timeline(db, db.get(Ticket, ticket_id)) if e.kind == "note"]
    assert stored == details


def clock_process(scratch_url, sim, *extra, lease="60", playbook_path=PLAYBOOK):
    env = {
        **os.environ,
        "DATABASE_URL": scratch_url,
        "SLACK_BOT_TOKEN": sim.bot_token,
        "SLACK_API_URL": sim.api_url,
        "RELAY_PLAYBOOK": str(playbook_path),
        "LOG_LEVEL": "warning",
        "CLOCK_TICK_SECONDS": "0.2",
        "OUTBOX_LEASE_SECONDS": lease,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "clock", *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=tempfile.TemporaryFile(),
    )


def test_two_clock_processes_send_each_notice_once(relay, sim, scratch_url, tmp_path):
    path, playbook = playbook_without_rooms(tmp_path)
    ids = due_now(relay, playbook, 150)
    procs = [clock_process(scratch_url, sim, "--once", playbook_path=path) for _ in range(2)]
    try:
        assert [p.wait(timeout=120) for p in procs] == [0, 0]
    finally:
        for proc in procs:
            proc.kill()
    for ticket_id in ids:
        assert events_of(relay, ticket_id, "sla.breached") == 1
        assert events_of(relay, ticket_id, "handoff.offered") == 1
    # What a tick's sending budget left on a loaded machine is the next tick's: send it.
    relay.now.value = datetime.now(UTC)
    relay.deliver()
    priya = uid(playbook, "priya.shah")
    handoffs = dms_to(sim, priya, "is handed to you")
    assert len(handoffs) == len(ids)
    with relay.sessions() as db:
        keys = db.scalars(select(OutboxMessage.idem_key)).all()
        assert len(keys) == len(set(keys))


def test_clock_killed_mid_tick_loses_nothing(relay, sim, scratch_url, tmp_path):
    path, playbook = playbook_without_rooms(tmp_path)
    ids = due_now(relay, playbook, 40)
    sim.faults.inject("chat.postMessage", "slow", times=10_000, delay=0.05)
    victim = clock_process(scratch_url, sim, lease="1", playbook_path=path)
    try:
        sim.wait_for(lambda: len(sim.calls) > 20, timeout=30, what="the clock to start delivering")
    finally:
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
    sim.faults.clear()
    with relay.sessions() as db:
        pending = db.scalar(select(func.count()).where(OutboxMessage.status == "pending"))
    assert pending > 0, "the kill should have left work behind"
    time.sleep(1.1)  # the dead process's claims expire
    survivor = clock_process(scratch_url, sim, "--once", lease="1", playbook_path=path)
    assert survivor.wait(timeout=120) == 0
    with relay.sessions() as db:
        pending = db.scalar(select(func.count()).where(OutboxMessage.status == "pending"))
    assert pending == 0
    for ticket_id in ids:
        assert events_of(relay, ticket_id, "sla.breached") == 1
    priya = uid(playbook, "priya.shah")
    delivered = {m["text"] for m in dms_to(sim, priya, "is handed to you")}
    assert len(delivered) == len(ids)


# -- a clock that outlives a bad tick and a database that is away ---------------------------


def test_a_failing_tick_is_logged_and_the_next_tick_runs(relay, monkeypatch):
    real = timer_changes.fire_due_timers
    failures = iter([RuntimeError("boom"), OperationalError("SELECT", {}, ConnectionError())])

    def flaky(relay):
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return real(relay)

    monkeypatch.setattr(timer_changes, "fire_due_timers", flaky)
    monkeypatch.setattr(clock, "log", structlog.get_logger())
    with capture_logs() as logs:
        assert contained_tick(relay) is None
        assert contained_tick(relay) is None
        # the tick after runs: Monday 09:00 is the shipped playbook's weekly report slot
        assert contained_tick(relay) == TickResult(0, 0, 1)
    # (what the report's tick logs at info depends on the level earlier tests configured)
    assert [(e["event"], e["log_level"]) for e in logs if e["log_level"] != "info"] == [
        ("clock.tick_failed", "error"),
        ("clock.database_unavailable", "warning"),
    ]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_clock_keeps_running_while_the_database_is_unreachable(sim, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"postgresql://relay@127.0.0.1:{closed_port()}/relay",
        "SLACK_BOT_TOKEN": sim.bot_token,
        "SLACK_API_URL": sim.api_url,
        "RELAY_PLAYBOOK": str(PLAYBOOK),
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "warning",
        "CLOCK_TICK_SECONDS": "0.2",
    }
    log = tmp_path / "clock.log"
    with open(log, "w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "clock"], cwd=ROOT, env=env, stderr=err
        )
    try:
        deadline = time.monotonic() + 30
        while log.read_text().count("clock.database_unavailable") < 3:
            assert proc.poll() is None, f"the clock exited:\n{log.read_text()[-2000:]}"
            assert time.monotonic() < deadline, f"no warnings yet:\n{log.read_text()[-2000:]}"
            time.sleep(0.1)
        assert proc.poll() is None
    finally:
        proc.kill()
        proc.wait(timeout=10)
    warnings = [line for line in log.read_text().splitlines() if "database_unavailable" in line]
    assert "Connection refused" in warnings[0] or "connection failed" in warnings[0]
    assert "Traceback" not in log.read_text()


def test_the_clock_forgets_request_keys_older_than_an_hour(relay):
    """A request costs one insert; a tick drops what can no longer be replayed."""
    assert replays.first_sighting(relay.sessions, "v0=old", now=MON_0900 - timedelta(minutes=61))
    assert replays.first_sighting(relay.sessions, "v0=new", now=MON_0900 - timedelta(minutes=5))
    assert not replays.first_sighting(relay.sessions, "v0=old", now=MON_0900)  # remembered
    tick(relay)
    with relay.sessions() as db:
        assert set(db.scalars(select(SeenRequest.key))) == {"v0=new"}
    assert not replays.first_sighting(relay.sessions, "v0=new", now=MON_0900)
