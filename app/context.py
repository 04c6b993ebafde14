"""What every listener and the clock share: playbook, sessions, the Slack client, the time."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from app import outbox
from app.notify import card_message
from app.playbook import Playbook


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Relay:
    playbook: Playbook
    sessions: sessionmaker[Session]
    client: WebClient
    now: Callable[[], datetime] = utc_now
    drill: bool = False
    outbox_lease: timedelta = outbox.LEASE

    def deliver(self, ticket_id: int | None = None) -> int:
        """Send what the last commit enqueued; what fails is retried by the clock."""
        return outbox.deliver(
            self.sessions,
            self.client,
            now=self.now,
            ticket_id=ticket_id,
            lease=self.outbox_lease,
            render_card=lambda ticket: card_message(self.playbook, ticket, now=self.now()),
        )
