"""After resolution: the reporter's confirmation, the blameless review, action items."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime


class Confirmation(Base):
    """The reporter asked "Did this fix it?" after a resolution (one per resolution)."""

    __tablename__ = "confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    reporter_id: Mapped[str] = mapped_column(String(32))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    close_due_at: Mapped[datetime] = mapped_column(UTCDateTime)  # unanswered: closed then
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fixed: Mapped[bool | None] = mapped_column(Boolean)
    rating: Mapped[int | None] = mapped_column(Integer)  # 1-5 (CSAT)
    comment: Mapped[str | None] = mapped_column(Text)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # answered or closed


class Review(Base):
    """A Sev1/Sev2 ticket's blameless review: when it is due, reminders, the canvas."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ic_remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None once sent
    manager_remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    drafted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    drafted_by: Mapped[str | None] = mapped_column(String(32))
    canvas_id: Mapped[str | None] = mapped_column(String(32))


class ActionItem(Base):
    """Something to do that came out of a ticket: what, who, by when."""

    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    what: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[str] = mapped_column(String(32), index=True)
    team: Mapped[str] = mapped_column(String(64), index=True)  # the ticket's team
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)  # end of the due date, team's zone
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | done | dropped
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None once reminded
    overdue_noted: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(32))
