"""Tickets, their append-only timeline, and the key sequence."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, enum_column


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
    severity_reason: Mapped[str | None] = mapped_column(Text)  # why it has this severity
    escalation_type: Mapped[str] = mapped_column(String(64))
    team: Mapped[str] = mapped_column(String(64), index=True)
    tier: Mapped[str] = mapped_column(String(2), default="L1")
    customer: Mapped[str | None] = mapped_column(String(64))
    customer_tier: Mapped[str | None] = mapped_column(String(64))
    reporter_id: Mapped[str] = mapped_column(String(32), index=True)
    owner_id: Mapped[str | None] = mapped_column(String(32), index=True)
    status: Mapped[Status] = mapped_column(enum_column(Status), default=Status.OPEN, index=True)
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
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mitigated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolution_summary: Mapped[str | None] = mapped_column(Text)

    # SLA clocks. The escalation policy (targets, lead, deadlines, tier owners, manager) is
    # snapshotted when the ticket opens; due times are columns, and what the clock must do
    # next is a row in `deadlines` (app/deadlines.py).
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
    kind: Mapped[str] = mapped_column(String(48), index=True)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)

    ticket: Mapped[Ticket] = relationship(back_populates="events", lazy="raise")


class KeySequence(Base):
    """Counters for human ticket keys (ESC-1, ESC-2, ...)."""

    __tablename__ = "key_sequences"

    prefix: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
