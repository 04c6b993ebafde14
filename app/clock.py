"""The clock process: one APScheduler interval job. Each tick fires the timers that are due
through the change layer (the state change, its timers and its notices commit together),
then delivers pending outbox rows.

Several clock processes are safe: on PostgreSQL each locks the tickets it acts on with
FOR UPDATE SKIP LOCKED, and a timer another clock has just fired is no longer a row; on
SQLite every transaction takes the write lock first (BEGIN IMMEDIATE), so ticks run one
after another and each sees the last one's work."""

import os
import socket
import time
from dataclasses import dataclass
from datetime import timedelta

import structlog
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import delete, update
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app import db, replays, timer_changes
from app.effects import report_effects
from app.models import Heartbeat
from app.runtime import Relay

log = structlog.get_logger()


DELIVERY_BUDGET = 30.0  # seconds of sending per tick; the next tick goes on
FIRED_PER_DELIVERY = 500  # tickets whose fresh rows one delivery pass looks for
HEARTBEAT_KEPT = timedelta(days=7)  # rows of clock processes gone this long are dropped
PROCESS = f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class TickResult:
    tickets: int = 0
    events: int = 0
    sent: int = 0


def beat(relay: Relay) -> None:
    """This process's heartbeat row says it ticked now (read by /metrics: the newest row of
    any clock process is the clock's age)."""
    now = relay.now()
    with db.transaction(relay.sessions) as session:
        found = session.execute(
            update(Heartbeat).where(Heartbeat.process == PROCESS).values(at=now)
        )
        if not found.rowcount:
            session.add(Heartbeat(process=PROCESS, at=now))
        session.execute(delete(Heartbeat).where(Heartbeat.at < now - HEARTBEAT_KEPT))


def tick(relay: Relay, *, budget: float = DELIVERY_BUDGET) -> TickResult:
    """One heartbeat: note it, enqueue the weekly report when due, fire what is due, then
    deliver: first what this tick's tickets just enqueued, then the rest of what is
    pending, for at most `budget` seconds, so that a backlog (after an outage) never holds
    back timers that fall due meanwhile."""
    beat(relay)
    report_effects.enqueue_due(relay)  # the weekly report, when its slot has come (once per slot)
    fired, events = timer_changes.fire_due_timers(relay)
    result = TickResult(len(fired), events)
    until = time.monotonic() + budget
    for first in range(0, len(fired), FIRED_PER_DELIVERY):
        chunk = fired[first : first + FIRED_PER_DELIVERY]
        result.sent += relay.deliver(("ticket", chunk), until=until)
    result.sent += relay.deliver(until=until)
    replays.forget_old(relay.sessions, now=relay.now())
    if result.events or result.sent:
        log.info("clock.tick", tickets=result.tickets, events=result.events, sent=result.sent)
    return result


def contained_tick(relay: Relay) -> TickResult | None:
    """A tick that never raises: a database that is away is a warning (the next tick tries
    again), anything else an error with its stack; either way the clock keeps running."""
    try:
        return tick(relay)
    except (OperationalError, InterfaceError, PoolTimeout) as exc:
        log.warning("clock.database_unavailable", error=db.unreachable_reason(exc))
    except Exception:  # noqa: BLE001 - one bad tick must not stop the heartbeat
        log.exception("clock.tick_failed")
    return None


def _schedule(scheduler, relay: Relay, seconds: float):
    scheduler.add_job(
        contained_tick,
        "interval",
        seconds=seconds,
        args=[relay],
        id="clock",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    return scheduler


def start_background_clock(relay: Relay, seconds: float) -> BackgroundScheduler:
    scheduler = _schedule(BackgroundScheduler(timezone="UTC"), relay, seconds)
    scheduler.start()
    return scheduler


def run_clock(relay: Relay, seconds: float) -> None:
    log.info("clock.start", every=seconds)
    contained_tick(relay)  # catch up at once on what fell due while no clock ran
    _schedule(BlockingScheduler(timezone="UTC"), relay, seconds).start()
