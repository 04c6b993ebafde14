"""Timers: one row per thing the clock must do at a moment (app/deadlines.py)."""

from datetime import datetime

from sqlalchemy import JSON, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime


class Deadline(Base):
    """A pending timer of one kind on one subject. Fired or no longer wanted, it is deleted."""

    __tablename__ = "deadlines"
    __table_args__ = (
        UniqueConstraint("subject", "subject_id", "kind"),
        Index("ix_deadlines_subject_due_at", "subject", "due_at"),  # what is due, of a subject
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(24))
    subject_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(48))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    data: Mapped[dict | None] = mapped_column(JSON)
