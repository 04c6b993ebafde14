"""Situation updates (and customer notices awaiting their Send), and update cadences."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime


class SituationUpdate(Base):
    """One posted update (`kind` update) or resolution notice (`kind` resolution). Text is
    stored as it went out: already redacted. A customer notice waits for a Send click."""

    __tablename__ = "situation_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="update")  # update | resolution
    posted_by: Mapped[str] = mapped_column(String(32))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(Text, default="")
    impact: Mapped[str] = mapped_column(Text, default="")
    current_state: Mapped[str] = mapped_column(Text, default="")
    actions: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[str] = mapped_column(Text, default="")
    next_update_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The customer notice (redacted), who may send it, and when it was sent.
    customer_text: Mapped[str | None] = mapped_column(Text)
    customer_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    customer_sent_by: Mapped[str | None] = mapped_column(String(32))


class UpdateCadence(Base):
    """When a ticket's next update is due, and whether the reminder and the overdue notice
    for that due time went out (posting an update moves `due_at` and clears both)."""

    __tablename__ = "update_cadences"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
