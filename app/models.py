"""SQLAlchemy 2 models: tickets, their timeline, the outbox and the key sequence."""

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every database (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; pass an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _enum(cls):
    return Enum(cls, values_callable=lambda e: [m.value for m in e], native_enum=False, length=24)


class Status(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting_on_customer"
    MITIGATED = "mitigated"
    RESOLVED = "resolved"
    CLOSED = "closed"


OPEN_STATUSES = (Status.OPEN, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.WAITING)


class Ticket(Base):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text, default="")
    impact: Mapped[str] = mapped_column(Text, default="")
    business_rationale: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[int] = mapped_column(Integer)
    suggested_severity: Mapped[int] = mapped_column(Integer)
    escalation_type: Mapped[str] = mapped_column(String(64))
    team: Mapped[str] = mapped_column(String(64), index=True)
    tier: Mapped[str] = mapped_column(String(2), default="L1")
    customer: Mapped[str | None] = mapped_column(String(64))
    customer_tier: Mapped[str | None] = mapped_column(String(64))
    reporter_id: Mapped[str] = mapped_column(String(32), index=True)
    owner_id: Mapped[str | None] = mapped_column(String(32), index=True)
    status: Mapped[Status] = mapped_column(_enum(Status), default=Status.OPEN, index=True)
    response_target_minutes: Mapped[int] = mapped_column(Integer)
    resolution_target_minutes: Mapped[int] = mapped_column(Integer)
    source_permalink: Mapped[str | None] = mapped_column(String(500))
    source_channel: Mapped[str | None] = mapped_column(String(32))
    source_ts: Mapped[str | None] = mapped_column(String(32))
    source_author_id: Mapped[str | None] = mapped_column(String(32))
    origin_channel: Mapped[str | None] = mapped_column(String(32))
    intake_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    is_drill: Mapped[bool] = mapped_column(Boolean, default=False)
    card_channel: Mapped[str | None] = mapped_column(String(32))
    card_ts: Mapped[str | None] = mapped_column(String(32))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mitigated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolution_summary: Mapped[str | None] = mapped_column(Text)

    # SLA clocks. The escalation policy (targets, lead, deadlines, tier owners, manager) is
    # snapshotted when the ticket opens; due times are columns and `next_action_at` is the
    # earliest thing the clock must do, so a tick reads only what is due.
    policy: Mapped[dict] = mapped_column(JSON, default=dict)
    response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response_warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response_warned: Mapped[bool] = mapped_column(Boolean, default=False)
    response_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    resolution_warned: Mapped[bool] = mapped_column(Boolean, default=False)
    resolution_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    pauses: Mapped[list] = mapped_column(JSON, default=list)  # [[start, end or null], ...]
    handoff_to: Mapped[str | None] = mapped_column(String(64))  # playbook handle
    handoff_step: Mapped[str | None] = mapped_column(String(16))  # primary|secondary|manager
    handoff_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handoff_note: Mapped[str | None] = mapped_column(Text)
    manager_renotify_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_action_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    events: Mapped[list["TimelineEvent"]] = relationship(
        back_populates="ticket", lazy="raise", order_by="TimelineEvent.id"
    )


class TimelineEvent(Base):
    """Append-only: who did what to a ticket, when, with before/after."""

    __tablename__ = "timeline_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[str | None] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(48))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)

    ticket: Mapped[Ticket] = relationship(back_populates="events", lazy="raise")


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(Base):
    """A Slack side effect committed with the state change that caused it."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    idem_key: Mapped[str] = mapped_column(String(200), unique=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    method: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[OutboxStatus] = mapped_column(
        _enum(OutboxStatus), default=OutboxStatus.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    result: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class KeySequence(Base):
    """Counters for human ticket keys (ESC-1, ESC-2, ...)."""

    __tablename__ = "key_sequences"

    prefix: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
