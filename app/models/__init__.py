"""SQLAlchemy 2 models, one module per aggregate."""

from app.models.base import Base, UTCDateTime, enum_column
from app.models.channels import Channel, RoleAssignment
from app.models.deadlines import Deadline
from app.models.heartbeats import Heartbeat
from app.models.outbox import OutboxMessage, OutboxStatus
from app.models.requests import SeenRequest
from app.models.tickets import OPEN_STATUSES, KeySequence, Status, Ticket, TimelineEvent

__all__ = [
    "OPEN_STATUSES",
    "Base",
    "Channel",
    "Deadline",
    "Heartbeat",
    "KeySequence",
    "OutboxMessage",
    "OutboxStatus",
    "RoleAssignment",
    "SeenRequest",
    "Status",
    "Ticket",
    "TimelineEvent",
    "UTCDateTime",
    "enum_column",
]
