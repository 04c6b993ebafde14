"""Approval gates on tickets, and messages captured from a war room or swarm channel."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime, enum_column


class ApprovalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Approval(Base):
    """An approvers' decision a ticket waits for (a Sev1 declared by a non-approver, a
    `requires_approval` type). Decided once: the status moves from pending exactly once."""

    __tablename__ = "approvals"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    reason: Mapped[str] = mapped_column(String(16))  # severity | type
    severity: Mapped[int] = mapped_column(Integer)  # asked for
    previous_severity: Mapped[int | None] = mapped_column(Integer)  # kept on a rejection
    requested_by: Mapped[str | None] = mapped_column(String(32))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[ApprovalStatus] = mapped_column(
        enum_column(ApprovalStatus), default=ApprovalStatus.PENDING
    )
    asked: Mapped[list] = mapped_column(JSON, default=list)  # Slack ids asked so far, in order
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the `approval.due` timer
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)  # why it was rejected


class CapturedMessage(Base):
    """A message pinned (or :pushpin:-reacted) in a ticket's channel; once per message."""

    __tablename__ = "captured_messages"
    __table_args__ = (UniqueConstraint("channel_id", "ts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    ts: Mapped[str] = mapped_column(String(32))
    captured_by: Mapped[str | None] = mapped_column(String(32))
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime)
