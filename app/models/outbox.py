"""The outbox: Slack side effects committed with the state change that caused them."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime, enum_column


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(Base):
    """A Slack side effect committed with the state change that caused it. The outbox knows
    kinds, subjects, streams and dependencies; what a kind sends is `app/effects/kinds.py`."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    idem_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(48))  # a registered effect kind
    subject: Mapped[str | None] = mapped_column(String(24))  # "ticket", ...
    subject_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # Rows of one stream go out in order; a row waits until the row keyed `after` is sent.
    stream: Mapped[str | None] = mapped_column(String(64))
    after: Mapped[str | None] = mapped_column(String(200))
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column(OutboxStatus), default=OutboxStatus.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    result: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
