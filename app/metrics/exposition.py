"""`/metrics` in Prometheus text format. A custom collector reads the database at each
scrape, so every web process (and whatever clocks run) reports the same truth: nothing is
counted in a process's memory.

- relay_open_tickets{severity, team, sla_state}: open tickets (no drills); the state is
  breached (either clock), paused (waiting on the customer), at_risk (past a warning time of
  a clock still running) or on_track;
- relay_sla_warnings_total / relay_sla_breaches_total{clock}: warnings and breaches the clock
  recorded (timeline events; counters, since the timeline is append-only);
- relay_notices_total{kind, status}: Slack side effects sent or failed, by effect kind;
- relay_outbox_pending, relay_outbox_oldest_pending_age_seconds: the backlog;
- relay_clock_heartbeat_age_seconds: since the newest tick of any clock process (absent when
  no clock has ever ticked)."""

from collections.abc import Callable
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from app.models import (
    OPEN_STATUSES,
    Heartbeat,
    OutboxMessage,
    OutboxStatus,
    Status,
    Ticket,
    TimelineEvent,
)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
SLA_STATES = ("breached", "paused", "at_risk", "on_track")


def _sla_state(now: datetime):
    responding = and_(Ticket.acknowledged_at.is_(None), Ticket.response_warn_at <= now)
    return case(
        (or_(Ticket.response_breached, Ticket.resolution_breached), "breached"),
        (Ticket.status == Status.WAITING, "paused"),
        (or_(responding, Ticket.resolution_warn_at <= now), "at_risk"),
        else_="on_track",
    )


class RelayCollector:
    def __init__(self, sessions: sessionmaker[Session], now: Callable[[], datetime]):
        self.sessions, self.now = sessions, now

    def collect(self):
        now = self.now()
        with self.sessions() as db:
            yield from self._tickets(db, now)
            yield from self._clock_events(db)
            yield from self._outbox(db, now)
            yield from self._heartbeat(db, now)

    def _tickets(self, db: Session, now: datetime):
        family = GaugeMetricFamily(
            "relay_open_tickets",
            "Open tickets (drills left out) by severity, team and SLA state",
            labels=["severity", "team", "sla_state"],
        )
        state = _sla_state(now).label("state")
        rows = db.execute(
            select(Ticket.severity, Ticket.team, state, func.count())
            .where(Ticket.status.in_(OPEN_STATUSES), Ticket.is_drill.is_(False))
            .group_by(Ticket.severity, Ticket.team, state)
        )
        for severity, team, sla_state, count in rows:
            family.add_metric([f"sev{severity}", team, sla_state], count)
        yield family

    def _clock_events(self, db: Session):
        warnings = CounterMetricFamily(
            "relay_sla_warnings", "SLA warnings the clock sent, by clock", labels=["clock"]
        )
        breaches = CounterMetricFamily(
            "relay_sla_breaches", "SLA breaches the clock recorded, by clock", labels=["clock"]
        )
        families = {"sla.warning": warnings, "sla.breached": breaches}
        clock = TimelineEvent.after["clock"].as_string()
        rows = db.execute(
            select(TimelineEvent.kind, clock, func.count())
            .where(TimelineEvent.kind.in_(families))
            .group_by(TimelineEvent.kind, clock)
        )
        counts = {(kind, name or "unknown"): n for kind, name, n in rows}
        for kind, family in families.items():
            for name in ("response", "resolution"):
                family.add_metric([name], counts.pop((kind, name), 0))
        for (kind, name), n in counts.items():
            families[kind].add_metric([name], n)
        yield from families.values()

    def _outbox(self, db: Session, now: datetime):
        notices = CounterMetricFamily(
            "relay_notices",
            "Slack side effects (messages, cards, DMs, channel calls) sent or failed, by kind",
            labels=["kind", "status"],
        )
        done = (OutboxStatus.SENT, OutboxStatus.FAILED)
        rows = db.execute(
            select(OutboxMessage.kind, OutboxMessage.status, func.count())
            .where(OutboxMessage.status.in_(done))
            .group_by(OutboxMessage.kind, OutboxMessage.status)
        )
        for kind, status, count in rows:
            notices.add_metric([kind, OutboxStatus(status).value], count)
        yield notices
        pending, oldest = db.execute(
            select(func.count(), func.min(OutboxMessage.created_at)).where(
                OutboxMessage.status == OutboxStatus.PENDING
            )
        ).one()
        yield GaugeMetricFamily(
            "relay_outbox_pending", "Slack side effects not sent yet", value=pending
        )
        age = (now - _aware(oldest)).total_seconds() if oldest else 0.0
        yield GaugeMetricFamily(
            "relay_outbox_oldest_pending_age_seconds",
            "Age of the oldest Slack side effect not sent yet (0 when none)",
            value=max(age, 0.0),
        )

    def _heartbeat(self, db: Session, now: datetime):
        newest = db.scalar(select(func.max(Heartbeat.at)))
        if newest is not None:
            yield GaugeMetricFamily(
                "relay_clock_heartbeat_age_seconds",
                "Seconds since the newest tick of any clock process",
                value=max((now - _aware(newest)).total_seconds(), 0.0),
            )


def _aware(value: datetime) -> datetime:
    """In case a driver hands an aggregate back naive or as text (SQLite): it is UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def registry(sessions: sessionmaker[Session], now: Callable[[], datetime]) -> CollectorRegistry:
    found = CollectorRegistry(auto_describe=False)
    found.register(RelayCollector(sessions, now))
    return found


def scrape(metrics: CollectorRegistry) -> bytes:
    return generate_latest(metrics)
