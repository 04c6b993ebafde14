"""Heartbeats: when each clock process last ticked, so /metrics can say how old the newest is."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime


class Heartbeat(Base):
    """One row per clock process (`host:pid`), rewritten by each of its ticks."""

    __tablename__ = "heartbeats"

    process: Mapped[str] = mapped_column(String(200), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
