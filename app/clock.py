"""The clock process: one APScheduler interval job that delivers what is due."""

import structlog
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from app.context import Relay

log = structlog.get_logger()


def tick(relay: Relay) -> int:
    """One heartbeat: deliver pending outbox rows whose time has come."""
    sent = relay.deliver()
    if sent:
        log.info("clock.tick", sent=sent)
    return sent


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
    _schedule(BlockingScheduler(timezone="UTC"), relay, seconds).start()
