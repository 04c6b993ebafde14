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

from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.error import URLError

import structlog
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from app.effects.kinds import KINDS, Later
from app.models import OutboxMessage, OutboxStatus

log = structlog.get_logger()

LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 12
MAX_BACKOFF = 600
# Slack answers worth retrying; any other `ok: false` answer is final.
TRANSIENT = {
    "ratelimited",
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
}


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
    subject: tuple[str, int] | None = None,
    limit: int = 200,
    lease: timedelta = LEASE,
) -> int:
    """Deliver what is due (of one subject, or all); returns how many rows were sent.
    `context` is handed to the kinds (the playbook, for rendering)."""
    sent, rounds = 0, 0
    while True:
        # Another round after sending: a row may have waited for one sent in this round, or
        # arrived from a change whose own delivery found its stream busy with this one.
        done = _deliver_round(sessions, client, now, context, subject, limit, lease)
        sent, rounds = sent + done, rounds + 1
        if not done or rounds == 5:
            return sent


def _deliver_round(sessions, client, now, context, subject, limit, lease) -> int:
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
                stmt = stmt.where(
                    OutboxMessage.subject == subject[0], OutboxMessage.subject_id == subject[1]
                )
            page = db.execute(stmt.order_by(OutboxMessage.id).limit(limit)).all()
            upstream = _upstream(db, {r.after for r in page if r.after})
        for row_id, stream, after, due_at in page:
            if stream in held:
                continue
            if after is not None and upstream.get(after) == OutboxStatus.FAILED:
                _give_up(sessions, row_id, f"waited for {after}, which failed")
                continue
            waiting = after is not None and upstream.get(after) != OutboxStatus.SENT
            go = due_at <= now() and not waiting
            if go and _deliver_one(sessions, client, row_id, now, lease, context):
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


def _give_up(sessions, row_id: int, why: str) -> None:
    with sessions() as db, db.begin():
        db.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id, OutboxMessage.status == OutboxStatus.PENDING)
            .values(status=OutboxStatus.FAILED, last_error=why[:500])
        )
    log.error("outbox.failed", outbox_id=row_id, error="upstream_failed")


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


def _deliver_one(sessions, client, row_id: int, now, lease: timedelta, context) -> bool:
    with sessions() as db, db.begin():
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
        if kind.coalesce and stream:
            # What this row sends stands for the rows of its stream enqueued before now.
            covers = db.scalar(
                _pending_in_stream(stream).with_only_columns(func.max(OutboxMessage.id))
            )
    bound = log.bind(outbox_id=row_id, kind=kind.name, key=key)
    answer = error = None
    try:
        answer = kind.send(client, args)
    except (SlackApiError, URLError, TimeoutError, ConnectionError, OSError) as exc:
        error = exc
    with sessions() as db, db.begin():
        row = db.get(OutboxMessage, row_id)
        row.claimed_until = None
        row.attempts += 1
        if isinstance(error, SlackApiError):
            _failed(row, error, now(), bound)
            return False
        if error is not None:
            _retry(row, now(), None, type(error).__name__, bound)
            return False
        if kind.write_back is not None:
            kind.write_back(db, row, answer)
        row.result, row.status, row.sent_at = answer, OutboxStatus.SENT, now()
        if covers > row_id:
            db.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(_pending_in_stream(stream)))
                .where(OutboxMessage.id <= covers)
                .values(status=OutboxStatus.SENT, sent_at=now(), result=answer)
            )
        bound.info("outbox.sent", attempts=row.attempts)
        return True


def _failed(row: OutboxMessage, exc: SlackApiError, now: datetime, bound) -> None:
    response = exc.response
    error = response.get("error") if isinstance(response.data, dict) else None
    if response.status_code == 429:
        headers = {k.lower(): v for k, v in (response.headers or {}).items()}
        retry_after = headers.get("retry-after")
        _retry(
            row,
            now,
            int(retry_after[0] if isinstance(retry_after, list) else retry_after or 1),
            "ratelimited",
            bound,
        )
    elif response.status_code < 500 and error and error not in TRANSIENT:
        row.status = OutboxStatus.FAILED
        row.last_error = error
        bound.error("outbox.failed", error=error)
    else:
        _retry(row, now, None, error or f"http_{response.status_code}", bound)


def _retry(row: OutboxMessage, now: datetime, retry_after: int | None, why: str, bound) -> None:
    row.last_error = why
    if row.attempts >= MAX_ATTEMPTS:
        row.status = OutboxStatus.FAILED
        bound.error("outbox.gave_up", error=why, attempts=row.attempts)
        return
    delay = retry_after if retry_after is not None else min(2 ** (row.attempts - 1), MAX_BACKOFF)
    row.next_attempt_at = now + timedelta(seconds=delay)
    bound.warning("outbox.retry", error=why, delay=delay, attempts=row.attempts)
