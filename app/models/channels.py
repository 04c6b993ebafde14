"""Slack channels Relay creates for a subject (war rooms, swarms)."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
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
