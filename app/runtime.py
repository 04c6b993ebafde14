"""What every listener, the clock and the drills share at run time: the playbook, sessions,
the Slack client and the time. (Named so as not to be confused with Bolt's `context`.)"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import structlog
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from app.effects import outbox
from app.effects.courier import Courier
from app.effects.pacing import Pacing
from app.playbook import Playbook

log = structlog.get_logger()


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
    outbox_horizon: timedelta = outbox.HORIZON
    delivery_threads: int = outbox.THREADS  # lanes sent at once (DELIVERY_THREADS)
    pacing: Pacing = field(default_factory=Pacing)  # the 429s this process has seen
    courier: Courier | None = None  # set in the web process: delivery off Bolt's threads
    home_numbers: dict = field(default_factory=dict)  # App Home's figures of this minute

    def deliver_committed(self, ticket_id: int) -> None:
        """Send what a change to this ticket just committed: by the courier when there is
        one (the listener returns at once), else here and now (clock, drills, tests)."""
        if self.courier is not None:
            self.courier.hand(ticket_id)
        else:
            self.deliver(("ticket", ticket_id))

    def deliver(
        self, subject: tuple[str, int | list[int]] | None = None, *, until: float | None = None
    ) -> int:
        """Send what the last commit enqueued; what fails is retried by the clock. Never
        raises: what was committed stays committed, and the outbox still holds the rest."""
        try:
            return outbox.deliver(
                self.sessions,
                self.client,
                now=self.now,
                context=self,
                subject=subject,
                lease=self.outbox_lease,
                horizon=self.outbox_horizon,
                until=until,
                threads=self.delivery_threads,
                pacing=self.pacing,
            )
        except Exception as error:  # noqa: BLE001 - the clock delivers what is left
            log.exception("outbox.delivery_failed", error=type(error).__name__)
            return 0
