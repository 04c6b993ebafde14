"""One lane of the outbox (see outbox.py), row after row: claim the row (compare-and-set on
its lease), prepare it, send it, record what Slack answered. Recording one row and
claiming the next share a transaction, so a row costs one transaction and its Web API
call(s). A row's outcome is SENT, DONE (failed for good: the lane goes on) or HELD (it
waits: not yet, a 429, a transient error, claimed elsewhere; the rest of the lane waits
with it)."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple
from urllib.error import URLError

import structlog
from slack_sdk.errors import SlackApiError
from sqlalchemy import bindparam, case, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from app.effects.kinds import KINDS, Later, record_failure
from app.effects.pacing import retry_after
from app.effects.sending import EffectKind
from app.models import OutboxMessage, OutboxStatus

log = structlog.get_logger()

MAX_BACKOFF = 600
UNCERTAIN = "no_answer"  # a time-out or dropped connection: the call may have reached Slack
# Slack answers worth retrying; any other `ok: false` answer is final.
TRANSIENT = {
    "ratelimited",
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
}
SENT, DONE, HELD = "sent", "done", "held"


class Policy(NamedTuple):
    """How one delivery run goes: the time, the lease, the retry horizon, what the kinds
    get to render with, and when to stop (a `time.monotonic()` value)."""

    now: Callable[[], datetime]
    lease: timedelta
    horizon: timedelta
    context: object
    until: float


@dataclass
class Attempt:
    """A claimed, prepared row on its way to Slack."""

    row: OutboxMessage
    kind: EffectKind
    args: dict
    maybe_sent: bool
    covers: int  # the last row of its stream this one stands for (a coalescing kind)
    answer: dict | None = None
    error: Exception | None = None


def run_lane(sessions: sessionmaker[Session], client, ids: list[int], policy: Policy):
    """Send one lane's rows in order. Returns how many were sent and whether the lane got
    through (False: a row waits, and so do the ones after it)."""
    sent, attempt = 0, None
    for row_id in [*ids, None]:
        stop = row_id is None or time.monotonic() > policy.until
        if attempt is None and stop:
            return sent, row_id is None
        # A session per transaction: what a row renders is read afresh, never an object
        # loaded before another change committed.
        with sessions() as db, db.begin():
            if attempt is not None:
                outcome = _record(db, attempt, policy)
                sent += outcome == SENT
                if outcome == HELD:
                    return sent, False
            attempt = None if stop else _claim(db, row_id, policy)
        if stop:
            return sent, row_id is None
        if attempt == HELD:
            return sent, False
        if attempt == DONE:
            attempt = None
        else:
            _send(client, attempt)
    return sent, True


# Built once (a statement is costly to build); claims one row if it is still pending and
# nobody holds it. A row claimed before and never released (its sender died) may, like one
# whose answer was lost, have reached Slack: the same statement marks it so.
CLAIM = (
    update(OutboxMessage)
    .where(OutboxMessage.id == bindparam("row_id"), OutboxMessage.status == OutboxStatus.PENDING)
    .where(
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < bindparam("now"))
    )
    .values(
        claimed_until=bindparam("until"),
        last_error=case(
            (OutboxMessage.claimed_until.is_not(None), UNCERTAIN), else_=OutboxMessage.last_error
        ),
    )
    .returning(OutboxMessage)
)


def _claim(db: Session, row_id: int, policy: Policy) -> Attempt | str:
    now = policy.now()
    claimed = db.scalars(
        CLAIM,
        {"row_id": row_id, "now": now, "until": now + policy.lease},
        execution_options={"populate_existing": True, "synchronize_session": False},
    ).first()
    if claimed is None:
        # Sent (or failed) meanwhile by another process: done, the lane goes on. Still
        # pending: another process is sending it, and the rest of the lane waits for it.
        status = db.scalar(select(OutboxMessage.status).where(OutboxMessage.id == row_id))
        return HELD if status == OutboxStatus.PENDING else DONE
    row, kind = claimed, KINDS[claimed.kind]
    upstream = None
    if row.after:
        made = select(OutboxMessage.result).where(OutboxMessage.idem_key == row.after)
        upstream = db.scalar(made)
    try:
        args = kind.prepare(db, row, upstream, policy.context)
    except Later as exc:  # e.g. its card, in another lane, is not posted yet: next round
        row.claimed_until = None
        log.debug("outbox.later", outbox_id=row_id, reason=str(exc))
        return HELD
    except Exception as exc:  # noqa: BLE001 - one row that cannot be made stops nothing else
        row.claimed_until = None
        fail(db, row, now, f"unpreparable:{type(exc).__name__}", _bound(row))
        return DONE
    covers = row_id
    if kind.coalesce and row.stream:
        # What this row sends stands for the rows of its stream enqueued before now.
        covers = db.scalar(
            _pending_in_stream(row.stream).with_only_columns(func.max(OutboxMessage.id))
        )
    return Attempt(row, kind, args, row.last_error == UNCERTAIN, covers)


def _pending_in_stream(stream: str):
    return select(OutboxMessage.id).where(
        OutboxMessage.stream == stream, OutboxMessage.status == OutboxStatus.PENDING
    )


def _bound(row: OutboxMessage):
    return log.bind(outbox_id=row.id, kind=row.kind, key=row.idem_key)


def _send(client, attempt: Attempt) -> None:
    kind, args = attempt.kind, attempt.args
    try:
        if attempt.maybe_sent and kind.find is not None:
            attempt.answer = kind.find(client, args)
            if attempt.answer:
                _bound(attempt.row).info("outbox.adopted")
        attempt.answer = attempt.answer or kind.send(client, args)
    except (SlackApiError, URLError, TimeoutError, ConnectionError, OSError) as exc:
        attempt.error = exc


def _record(db: Session, attempt: Attempt, policy: Policy) -> str:
    now, horizon = policy.now(), policy.horizon
    row = db.merge(attempt.row, load=False)  # as claimed: under our lease nobody changed it
    bound = _bound(row)
    row.claimed_until = None
    row.attempts += 1
    if isinstance(attempt.error, SlackApiError):
        return _failed(db, row, attempt.error, now, horizon, bound)
    if attempt.error is not None:
        return _retry(db, row, now, None, UNCERTAIN, horizon, bound)
    if attempt.kind.write_back is not None:
        attempt.kind.write_back(db, row, attempt.answer)
    row.result, row.status, row.sent_at = attempt.answer, OutboxStatus.SENT, now
    row.last_error = None
    if attempt.covers > row.id:
        db.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(_pending_in_stream(row.stream)))
            .where(OutboxMessage.id <= attempt.covers)
            .values(status=OutboxStatus.SENT, sent_at=now, result=attempt.answer)
        )
    bound.info("outbox.sent", attempts=row.attempts)
    return SENT


def _failed(db, row: OutboxMessage, exc: SlackApiError, now: datetime, horizon, bound) -> str:
    response = exc.response
    error = response.get("error") if isinstance(response.data, dict) else None
    if response.status_code == 429:
        return _retry(db, row, now, retry_after(response), "ratelimited", horizon, bound)
    if response.status_code < 500 and error and error not in TRANSIENT:
        return fail(db, row, now, error, bound)
    return _retry(db, row, now, None, error or f"http_{response.status_code}", horizon, bound)


def _retry(db, row, now: datetime, wait: int | None, why: str, horizon, bound) -> str:
    """Try again after Retry-After or an exponential back-off, within the horizon."""
    row.last_error = why
    if now - row.created_at >= horizon:
        return fail(db, row, now, f"gave_up:{why}", bound)
    delay = wait if wait is not None else min(2 ** (row.attempts - 1), MAX_BACKOFF)
    row.next_attempt_at = now + timedelta(seconds=delay)
    bound.warning("outbox.retry", error=why, delay=delay, attempts=row.attempts)
    return HELD


def fail(db, row: OutboxMessage, now: datetime, why: str, bound=None) -> str:
    """Final: the row will not go out. Logged, and noted on its subject's timeline."""
    row.status, row.last_error = OutboxStatus.FAILED, why[:500]
    (bound or _bound(row)).error("outbox.failed", error=why, attempts=row.attempts)
    record_failure(db, row, now)
    return DONE
