"""The clock process: one APScheduler interval job. Each tick claims the tickets whose
next action is due, acts on them through the domain (the state change and its notices
commit together), then delivers pending outbox rows.

Several clock processes are safe: on PostgreSQL each claims with FOR UPDATE SKIP LOCKED,
and a row another clock has just handled no longer matches `next_action_at <= now`; on
SQLite every transaction takes the write lock first (BEGIN IMMEDIATE), so ticks run one
after another and each sees the last one's flags."""

from dataclasses import dataclass

import structlog
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import select

from app import escalation, notify, outbox
from app.context import Relay
from app.models import Ticket

log = structlog.get_logger()

BATCH = 100


@dataclass
class TickResult:
    tickets: int = 0
    events: int = 0
    sent: int = 0


def claim_due(db, now, *, limit: int = BATCH) -> list[Ticket]:
    stmt = (
        select(Ticket)
        .where(Ticket.next_action_at <= now)
        .order_by(Ticket.next_action_at)
        .limit(limit)
    )
    if db.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(db.scalars(stmt))


def act(relay: Relay, *, limit: int = BATCH) -> TickResult:
    """Act on what is due, batch by batch, each batch in its own transaction."""
    result = TickResult()
    while True:
        with relay.sessions() as db, db.begin():
            now = relay.now()
            due = claim_due(db, now, limit=limit)
            acted = [(t, escalation.act_on_due(db, relay.playbook, t, now=now)) for t in due]
            db.flush()  # one flush for the batch: ticket updates and timeline events
            rows = [
                r
                for t, events in acted
                for r in notify.event_rows(relay.playbook, t, events, now=now)
            ]
            outbox.enqueue_rows(db, rows)
            result.events += sum(len(events) for _, events in acted)
        result.tickets += len(due)
        if len(due) < limit:
            return result


def tick(relay: Relay) -> TickResult:
    """One heartbeat: act on what is due, then deliver what is pending."""
    result = act(relay)
    result.sent = relay.deliver()
    if result.events or result.sent:
        log.info("clock.tick", tickets=result.tickets, events=result.events, sent=result.sent)
    return result


def _schedule(scheduler, relay: Relay, seconds: float):
    scheduler.add_job(
        tick,
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
    tick(relay)  # catch up at once on what fell due while no clock ran
    _schedule(BlockingScheduler(timezone="UTC"), relay, seconds).start()
