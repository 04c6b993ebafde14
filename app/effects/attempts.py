"""One lane of the outbox (see outbox.py), row after row: claim the row (compare-and-set on
its lease), prepare it, send it, record what Slack answered. Recording one row and
claiming the next share a transaction; a round of few lanes claims their first rows as it
reads what is pending, and every lane's last row is recorded with the next round's reading
(outbox.py), so a row costs at most one transaction and its Web API call(s). A row's
outcome is SENT, DONE (failed for good: the lane goes on) or HELD (it waits: not yet, a
429, a transient error, claimed elsewhere; the rest of the lane waits with it)."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple
from urllib.error import URLError

import structlog
from slack_sdk.errors import SlackApiError
from sqlalchemy import Row, bindparam, case, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from app.effects import digests
from app.effects.kinds import KINDS, Later, record_failure
from app.effects.pacing import retry_after
from app.effects.sending import UNCERTAIN, EffectKind
from app.models import OutboxMessage, OutboxStatus

log = structlog.get_logger()

MAX_BACKOFF = 600
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

    row: Row  # the columns CLAIM returns
    kind: EffectKind
    args: dict
    maybe_sent: bool
    covers: int  # the last row of its stream this one stands for (a coalescing kind)
    also: list[int] = field(default_factory=list)  # the rest of a digest's rows (digests.py)
    answer: dict | None = None
    error: Exception | None = None


def claim_first(db: Session, ids: list[int], policy: Policy) -> tuple[int, Attempt] | str:
    """Claim the first of a lane's rows still to be sent, in the caller's transaction: its
    index and attempt; HELD when it waits; DONE when none is left to send."""
    for n, row_id in enumerate(ids):
        claimed = _claim(db, row_id, policy, ids[n + 1 :])
        if isinstance(claimed, Attempt):
            return n, claimed
        if claimed == HELD:
            return HELD
    return DONE


def run_lane(sessions: sessionmaker[Session], client, ids: list[int], policy: Policy, first=None):
    """Send one lane's rows in order (`first`: its first row claimed already, by
    `claim_first`). Returns how many were sent and recorded, whether the lane got through
    so far (False: a row waits, and so do the ones after it), and its last row, sent but
    not recorded yet (None if there is none): `record` records it."""
    sent, attempt, covered, start = 0, None, 0, 0
    if first is not None:
        done_up_to, attempt = first
        start = done_up_to + 1
        _send(client, attempt)
    for n, row_id in enumerate(ids[start:], start):
        if row_id <= covered:
            continue  # marked sent with the coalescing row or digest that stood for it
        if time.monotonic() > policy.until:
            return sent, False, attempt
        # A session per transaction: what a row renders is read afresh, never an object
        # loaded before another change committed.
        with sessions() as db, db.begin():
            if attempt is not None:
                outcome = record(db, attempt, policy)
                if outcome == HELD:
                    return sent, False, None
                if outcome == SENT:
                    sent += 1 + len(attempt.also)
                    covered = max([attempt.covers, *attempt.also])
            attempt = _claim(db, row_id, policy, ids[n + 1 :]) if row_id > covered else None
        if attempt == HELD:
            return sent, False, None
        if isinstance(attempt, Attempt):
            _send(client, attempt)
        else:  # DONE, or covered
            attempt = None
    return sent, True, attempt


OUTBOX = OutboxMessage.__table__
_c = OUTBOX.c
# Built once (a statement is costly to build), and Core: no ORM bookkeeping on every row.
# Claims one row if it is still pending and nobody holds it, and returns what the kinds
# read. A row claimed before and never released (its sender died) may, like one whose
# answer was lost, have reached Slack: the same statement marks it so.
CLAIM = (
    update(OUTBOX)
    .where(_c.id == bindparam("row_id"), _c.status == OutboxStatus.PENDING)
    .where(or_(_c.claimed_until.is_(None), _c.claimed_until < bindparam("now")))
    .values(
        claimed_until=bindparam("until"),
        last_error=case((_c.claimed_until.is_not(None), UNCERTAIN), else_=_c.last_error),
    )
    .returning(
        _c.id,
        _c.kind,
        _c.subject,
        _c.subject_id,
        _c.stream,
        _c.after,
        _c.payload,
        _c.idem_key,
        _c.last_error,
        _c.attempts,
        _c.created_at,
    )
)
UNCLAIM = update(OUTBOX).where(_c.id == bindparam("row_id")).values(claimed_until=None)
SENT_ROW = (  # a row Slack accepted
    update(OUTBOX)
    .where(_c.id == bindparam("row_id"))
    .values(
        status=OutboxStatus.SENT,
        attempts=_c.attempts + 1,
        claimed_until=None,
        result=bindparam("answer"),
        sent_at=bindparam("now"),
        last_error=None,
    )
)
LAST_IN_STREAM = select(func.max(_c.id)).where(
    _c.stream == bindparam("row_stream"), _c.status == OutboxStatus.PENDING
)
COVERED = (  # the pending rows of a stream that a coalescing row's send stood for
    update(OUTBOX)
    .where(_c.stream == bindparam("row_stream"), _c.status == OutboxStatus.PENDING)
    .where(_c.id <= bindparam("covers"))
    .values(status=OutboxStatus.SENT, sent_at=bindparam("now"), result=bindparam("answer"))
)


def _claim(db: Session, row_id: int, policy: Policy, following: list[int]) -> Attempt | str:
    now = policy.now()
    params = {"row_id": row_id, "now": now, "until": now + policy.lease}
    conn = db.connection()
    row = conn.execute(CLAIM, params).first()
    if row is None:
        # Sent (or failed) meanwhile by another process: done, the lane goes on. Still
        # pending: another process is sending it, and the rest of the lane waits for it.
        status = db.scalar(select(OutboxMessage.status).where(OutboxMessage.id == row_id))
        return HELD if status == OutboxStatus.PENDING else DONE
    kind = KINDS[row.kind]
    upstream = None
    if row.after:
        made = select(OutboxMessage.result).where(OutboxMessage.idem_key == row.after)
        upstream = db.scalar(made)
    covers = row_id
    if kind.coalesce and row.stream:
        # What this row sends stands for the rows of its stream enqueued before now: read
        # before it is drawn, so that what it draws includes each of their changes (on
        # PostgreSQL each statement sees what committed before it began).
        covers = conn.scalar(LAST_IN_STREAM, {"row_stream": row.stream})
    try:
        args = kind.prepare(db, row, upstream, policy.context)
    except Later as exc:  # e.g. its card, in another lane, is not posted yet: next round
        conn.execute(UNCLAIM, {"row_id": row_id})
        log.debug("outbox.later", outbox_id=row_id, reason=str(exc))
        return HELD
    except Exception as exc:  # noqa: BLE001 - one row that cannot be made stops nothing else
        failed = db.get(OutboxMessage, row_id)
        failed.claimed_until = None
        fail(db, failed, now, f"unpreparable:{type(exc).__name__}", _bound(row))
        return DONE
    attempt = Attempt(row, kind, args, row.last_error == UNCERTAIN, covers)
    attempt.args, attempt.also = digests.gather(db, attempt, following, params, policy.context)
    return attempt


def _bound(row: Row | OutboxMessage):
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


def record(db: Session, attempt: Attempt, policy: Policy) -> str:
    now, row = policy.now(), attempt.row
    bound = _bound(row)
    if attempt.error is None:
        if attempt.kind.write_back is not None:
            attempt.kind.write_back(db, row, attempt.args, attempt.answer)
        sent, conn = {"row_id": row.id, "answer": attempt.answer, "now": now}, db.connection()
        conn.execute(SENT_ROW, [sent, *({**sent, "row_id": i} for i in attempt.also)])
        if attempt.covers > row.id:
            conn.execute(COVERED, {**sent, "row_stream": row.stream, "covers": attempt.covers})
        bound.info("outbox.sent", attempts=row.attempts + 1)
        return SENT
    # The rare way (a failure or a retry): on the ORM row, as claimed (under our lease
    # nobody changed it).
    rows = [db.get(OutboxMessage, row_id) for row_id in (row.id, *attempt.also)]
    for each in rows:
        each.claimed_until = None
        each.attempts += 1
    row = rows[0]
    if attempt.also:
        return _digest_failed(db, rows, attempt.error, now, policy.horizon, bound)
    if isinstance(attempt.error, SlackApiError):
        return _failed(db, row, attempt.error, now, policy.horizon, bound)
    return _retry(db, row, now, None, UNCERTAIN, policy.horizon, bound)


def _failed(db, row: OutboxMessage, exc: SlackApiError, now: datetime, horizon, bound) -> str:
    wait, why, final = _refusal(exc)
    if final:
        return fail(db, row, now, why, bound)
    return _retry(db, row, now, wait, why, horizon, bound)


def _digest_failed(db, rows: list[OutboxMessage], exc: Exception, now, horizon, bound) -> str:
    """A digest Slack did not take: its rows are tried again in their turn, as a digest
    after a 429 or a transient error; alone after a refusal (say, `invalid_blocks`: a part
    that fails alone then fails alone) or an answer that may have been lost (each looks for
    the digest first: `find_posted` knows its keys)."""
    wait, why, final = None, UNCERTAIN, False
    if isinstance(exc, SlackApiError):
        wait, why, final = _refusal(exc)
    if final:
        bound.warning("outbox.digest_refused", error=why, parts=len(rows))
        why = digests.REFUSED
    return [_retry(db, row, now, wait, why, horizon, bound) for row in rows][0]


def _refusal(exc: SlackApiError) -> tuple[int | None, str, bool]:
    """What Slack's error answer means: the Retry-After to wait, why, and whether it is
    final (an error not worth retrying)."""
    response = exc.response
    error = response.get("error") if isinstance(response.data, dict) else None
    if response.status_code == 429:
        return retry_after(response), "ratelimited", False
    if response.status_code < 500 and error and error not in TRANSIENT:
        return None, error, True
    return None, error or f"http_{response.status_code}", False


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
