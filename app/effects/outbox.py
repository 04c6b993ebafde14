"""The outbox: side effects committed with the state change, delivered right after commit
and, failing that, by the clock.

It knows rows, not Slack objects: each row names a registered effect kind
(`app/effects/kinds.py`), a subject, an optional stream (rows of one stream go out in
order; while one waits, the later ones wait too) and optionally the key of the row it waits
for (`after`; its result is handed to this one, e.g. a new channel's id). Rows are claimed
with a compare-and-set lease (safe with several processes on SQLite and PostgreSQL),
retried with back-off that honours Retry-After, and keyed so that the same effect is never
enqueued twice.
"""

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import NamedTuple
from urllib.error import URLError

import structlog
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from app.effects.kinds import KINDS, Later, record_failure
from app.models import OutboxMessage, OutboxStatus

log = structlog.get_logger()

LEASE = timedelta(seconds=60)
HORIZON = timedelta(hours=24)  # how long transient failures are retried
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


class Policy(NamedTuple):
    """How one delivery run goes: the time, the lease, the retry horizon, what the kinds
    get to render with, and when to stop (a `time.monotonic()` value)."""

    now: Callable[[], datetime]
    lease: timedelta
    horizon: timedelta
    context: object
    until: float


def row(
    *,
    key: str,
    kind: str,
    payload: dict,
    now: datetime,
    subject: tuple[str, int] | None = None,
    stream: str | None = None,
    after: str | None = None,
) -> dict:
    """One side effect, ready for `enqueue_rows`."""
    if kind not in KINDS:
        raise ValueError(f"unknown effect kind {kind!r}")
    return {
        "idem_key": key,
        "kind": kind,
        "subject": subject[0] if subject else None,
        "subject_id": subject[1] if subject else None,
        "stream": stream,
        "after": after,
        "payload": payload,
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


def enqueue_rows(db: Session, rows: list[dict]) -> None:
    """Add side effects to the current transaction in one statement; a key seen before
    is ignored (INSERT ... ON CONFLICT DO NOTHING)."""
    if not rows:
        return
    conn = db.connection()
    insert = postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert
    table = OutboxMessage.__table__
    conn.execute(insert(table).on_conflict_do_nothing(index_elements=["idem_key"]), rows)


def deliver(
    sessions: sessionmaker[Session],
    client: WebClient,
    *,
    now: Callable[[], datetime],
    context=None,
    subject: tuple[str, int | list[int]] | None = None,
    limit: int = 200,
    lease: timedelta = LEASE,
    horizon: timedelta = HORIZON,
    until: float | None = None,
) -> int:
    """Deliver what is due (of one subject or a list of them, or all); returns how many rows
    were sent.
    `context` is handed to the kinds (the playbook, for rendering). Another round follows
    one that sent something: rows enqueued meanwhile, or waiting for what was just sent.
    `until` (a `time.monotonic()` value) ends delivery early; what is left stays pending."""
    policy = Policy(now, lease, horizon, context, until or float("inf"))
    sent = 0
    for _ in range(5):
        done = _deliver_round(sessions, client, policy, subject, limit)
        sent += done
        if not done:
            break
    return sent


def _deliver_round(sessions, client, policy: Policy, subject, limit) -> int:
    now, until = policy.now, policy.until
    held: set[str] = set()
    sent, last = 0, 0
    while True:
        with sessions() as db:
            stmt = select(
                OutboxMessage.id,
                OutboxMessage.stream,
                OutboxMessage.after,
                OutboxMessage.next_attempt_at,
            ).where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.id > last)
            if subject is not None:
                kind, ids = subject
                ids = ids if isinstance(ids, list) else [ids]
                stmt = stmt.where(OutboxMessage.subject == kind, OutboxMessage.subject_id.in_(ids))
            page = db.execute(stmt.order_by(OutboxMessage.id).limit(limit)).all()
            upstream = _upstream(db, {r.after for r in page if r.after})
        for row_id, stream, after, due_at in page:
            if time.monotonic() > until:
                return sent
            if stream in held:
                continue
            if after is not None and upstream.get(after) == OutboxStatus.FAILED:
                _give_up(sessions, row_id, now(), "upstream_failed")
                continue
            waiting = after is not None and upstream.get(after) != OutboxStatus.SENT
            if due_at <= now() and not waiting and _deliver_one(sessions, client, row_id, policy):
                sent += 1
            elif stream is not None:
                held.add(stream)
        if len(page) < limit:
            return sent
        last = page[-1].id


def _upstream(db: Session, keys: set[str]) -> dict[str, OutboxStatus]:
    if not keys:
        return {}
    rows = db.execute(
        select(OutboxMessage.idem_key, OutboxMessage.status).where(OutboxMessage.idem_key.in_(keys))
    )
    return dict(rows.all())


def _give_up(sessions, row_id: int, now: datetime, why: str) -> None:
    with sessions() as db, db.begin():
        row = db.get(OutboxMessage, row_id)
        if row.status == OutboxStatus.PENDING:
            _fail(db, row, now, why, log.bind(outbox_id=row_id, kind=row.kind))


def _claim(db: Session, row_id: int, now: datetime, lease: timedelta) -> bool:
    result = db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status == OutboxStatus.PENDING)
        .where(or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
        .values(claimed_until=now + lease)
    )
    return result.rowcount == 1


def _pending_in_stream(stream: str):
    return select(OutboxMessage.id).where(
        OutboxMessage.stream == stream, OutboxMessage.status == OutboxStatus.PENDING
    )


def _deliver_one(sessions, client, row_id: int, policy: Policy) -> bool:
    now, lease, horizon, context = policy.now, policy.lease, policy.horizon, policy.context
    with sessions() as db, db.begin():
        # Claimed before and never released (its sender died), or failed in a way that may
        # have reached Slack: look for what it posted before posting again.
        maybe_sent = db.scalar(
            select(
                OutboxMessage.claimed_until.is_not(None) | (OutboxMessage.last_error == UNCERTAIN)
            ).where(OutboxMessage.id == row_id)
        )
        if not _claim(db, row_id, now(), lease):
            return False
        row = db.get(OutboxMessage, row_id)
        kind, key, stream = KINDS[row.kind], row.idem_key, row.stream
        upstream = None
        if row.after:
            upstream = db.scalar(
                select(OutboxMessage.result).where(OutboxMessage.idem_key == row.after)
            )
        covers = row_id
        try:
            args = kind.prepare(db, row, upstream, context)
        except Later as exc:
            row.claimed_until, row.next_attempt_at = None, now() + timedelta(seconds=1)
            log.debug("outbox.later", outbox_id=row_id, reason=str(exc))
            return False
        except Exception as exc:  # noqa: BLE001 - one row that cannot be made stops nothing else
            row.claimed_until = None
            bound = log.bind(outbox_id=row_id, kind=kind.name, key=key)
            _fail(db, row, now(), f"unpreparable:{type(exc).__name__}", bound)
            return False
        if kind.coalesce and stream:
            # What this row sends stands for the rows of its stream enqueued before now.
            covers = db.scalar(
                _pending_in_stream(stream).with_only_columns(func.max(OutboxMessage.id))
            )
    bound = log.bind(outbox_id=row_id, kind=kind.name, key=key)
    answer = error = None
    try:
        if maybe_sent and kind.find is not None:
            answer = kind.find(client, args)
            if answer:
                bound.info("outbox.adopted")
        answer = answer or kind.send(client, args)
    except (SlackApiError, URLError, TimeoutError, ConnectionError, OSError) as exc:
        error = exc
    with sessions() as db, db.begin():
        row = db.get(OutboxMessage, row_id)
        row.claimed_until = None
        row.attempts += 1
        if isinstance(error, SlackApiError):
            _failed(db, row, error, now(), horizon, bound)
            return False
        if error is not None:
            _retry(db, row, now(), None, UNCERTAIN, horizon, bound)
            return False
        if kind.write_back is not None:
            kind.write_back(db, row, answer)
        row.result, row.status, row.sent_at = answer, OutboxStatus.SENT, now()
        row.last_error = None
        if covers > row_id:
            db.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(_pending_in_stream(stream)))
                .where(OutboxMessage.id <= covers)
                .values(status=OutboxStatus.SENT, sent_at=now(), result=answer)
            )
        bound.info("outbox.sent", attempts=row.attempts)
        return True


def _failed(db, row: OutboxMessage, exc: SlackApiError, now: datetime, horizon, bound) -> None:
    response = exc.response
    error = response.get("error") if isinstance(response.data, dict) else None
    if response.status_code == 429:
        headers = {k.lower(): v for k, v in (response.headers or {}).items()}
        retry_after = headers.get("retry-after")
        seconds = int(retry_after[0] if isinstance(retry_after, list) else retry_after or 1)
        _retry(db, row, now, seconds, "ratelimited", horizon, bound)
    elif response.status_code < 500 and error and error not in TRANSIENT:
        _fail(db, row, now, error, bound)
    else:
        _retry(db, row, now, None, error or f"http_{response.status_code}", horizon, bound)


def _retry(db, row, now: datetime, retry_after: int | None, why: str, horizon, bound) -> None:
    """Try again after Retry-After or an exponential back-off, within the horizon."""
    row.last_error = why
    if now - row.created_at >= horizon:
        _fail(db, row, now, f"gave_up:{why}", bound)
        return
    delay = retry_after if retry_after is not None else min(2 ** (row.attempts - 1), MAX_BACKOFF)
    row.next_attempt_at = now + timedelta(seconds=delay)
    bound.warning("outbox.retry", error=why, delay=delay, attempts=row.attempts)


def _fail(db, row: OutboxMessage, now: datetime, why: str, bound) -> None:
    """Final: the row will not go out. Logged, and noted on its subject's timeline."""
    row.status, row.last_error = OutboxStatus.FAILED, why[:500]
    bound.error("outbox.failed", error=why, attempts=row.attempts)
    record_failure(db, row, now)
