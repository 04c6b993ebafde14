"""SQLAlchemy 2 models, one module per aggregate."""

from app.models.approvals import Approval, ApprovalStatus, CapturedMessage
from app.models.base import Base, UTCDateTime, enum_column
from app.models.channels import Channel, RoleAssignment
from app.models.comms import SituationUpdate, UpdateCadence
from app.models.deadlines import Deadline
from app.models.heartbeats import Heartbeat
from app.models.learning import ActionItem, Confirmation, Review
from app.models.outbox import OutboxMessage, OutboxStatus
from app.models.requests import SeenRequest
from app.models.tickets import OPEN_STATUSES, KeySequence, Status, Ticket, TimelineEvent

__all__ = [
    "OPEN_STATUSES",
    "ActionItem",
    "Approval",
    "ApprovalStatus",
    "Base",
    "CapturedMessage",
    "Channel",
    "Confirmation",
    "Deadline",
    "Heartbeat",
    "KeySequence",
    "OutboxMessage",
    "OutboxStatus",
    "Review",
    "RoleAssignment",
    "SeenRequest",
    "SituationUpdate",
    "Status",
    "Ticket",
    "TimelineEvent",
    "UpdateCadence",
    "UTCDateTime",
    "enum_column",
]
