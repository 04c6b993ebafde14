"""Slack channels Relay creates for a subject (war rooms, swarms), and incident roles."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime


class Channel(Base):
    """A channel Relay asked Slack for; `slack_id` is written back when it exists."""

    __tablename__ = "channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(24))  # war_room | swarm | ...
    name: Mapped[str] = mapped_column(String(80))
    is_private: Mapped[bool] = mapped_column(default=False)
    slack_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The pinned role card, updated in place when roles change.
    role_card_ts: Mapped[str | None] = mapped_column(String(32))
    # Resolved: archived at this time (a `channel.archive` timer); then archived.
    archive_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RoleAssignment(Base):
    """Who holds an incident role on a ticket now (one row per role; handed over in place)."""

    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("ticket_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # ic | comms | scribe | facilitator
    user_id: Mapped[str] = mapped_column(String(32))
    assigned_by: Mapped[str | None] = mapped_column(String(32))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)
