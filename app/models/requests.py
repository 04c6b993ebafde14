"""Signed Slack requests already seen, so a replay or a retried event changes nothing."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime


class SeenRequest(Base):
    """`key` is a request's X-Slack-Signature, or `event:<event_id>` for an Events API
    delivery (Slack signs each retry afresh, so only the event id says it is the same)."""

    __tablename__ = "seen_requests"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
