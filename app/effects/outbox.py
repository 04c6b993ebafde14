"""The outbox: side effects committed with the state change, delivered right after commit
and, failing that, by the clock.

It knows rows, not Slack objects: each row names a registered effect kind
(`app/effects/kinds.py`), a subject, an optional stream and optionally the key of the row it
waits for (`after`; its result is handed to this one, e.g. a new channel's id). Rows are
claimed with a compare-and-set lease (safe with several processes on SQLite and
PostgreSQL), retried with back-off that honours Retry-After, and keyed so that the same
effect is never enqueued twice. Sending one row is `attempts.py`.

Lanes: delivery keeps order within a lane and runs different lanes at once, on a bounded
thread pool (`threads`, the setting DELIVERY_THREADS). A row's lane is
- its stream, when it has one (`card:ID`, `thread:ID`, ...);
- otherwise the channel its payload names (`channel`: a channel id, or a user id for a
  DM), and for an ephemeral (a payload with a `user`) that person in that channel;
- otherwise the row it waits for (`after`: what acts in a channel made upstream);
- otherwise the row alone.
A lane goes out in id order, one row at a time; while one of its rows waits (not due yet, a
429, a transient error, an upstream not sent, its card not posted, claimed elsewhere: a row
another process holds is not even tried), the rows after it wait too. A 429 holds back its
lane, and for the rest of its Retry-After the calls in its scope (`pacing.py`: the method,
or chat.postMessage in that channel); other lanes go on. Dependencies (`after`) are
honoured across lanes: a row whose upstream is not sent waits for a later round.
"""

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import datetime, timedelta
from threading import Lock

import structlog
from slack_sdk import WebClient
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, sessionmaker

from app.effects.attempts import (
    HELD,
    SENT,
    UNCERTAIN,
    Policy,
    claim_first,
    fail,
    record,
    run_lane,
)
from app.effects.kinds import KINDS
from app.effects.pacing import Pacing
from app.inserts import id_list, insert_rows
from app.models import OutboxMessage, OutboxStatus

__all__ = ["HORIZON", "LEASE", "THREADS", "UNCERTAIN", "deliver", "enqueue_rows", "row"]
log = structlog.get_logger()

LEASE = timedelta(seconds=60)
HORIZON = timedelta(hours=24)  # how long transient failures are retried
THREADS = 16  # lanes sent at once per process (DELIVERY_THREADS)
AHEAD = 4  # a page of this many lanes or fewer (a click's) has them claimed as it is read
_pools: dict[int, ThreadPoolExecutor] = {}  # one pool per process (and size)
_pools_lock = Lock()


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
    insert_rows(db.connection(), OutboxMessage.__table__, rows, skip_existing="idem_key")


def deliver(
    sessions: sessionmaker[Session],
    client: WebClient,
    *,
    now: Callable[[], datetime],
    context=None,
    subject: tuple[str, int | list[int]] | None = None,
    limit: int = 500,
    lease: timedelta = LEASE,
    horizon: timedelta = HORIZON,
    until: float | None = None,
    threads: int = THREADS,
    pacing: Pacing | None = None,
) -> int:
    """Deliver what is due (of one subject or a list of them, or all); returns how many rows
    were sent.
    `context` is handed to the kinds (the playbook, for rendering). Another round follows
    one that sent something: rows enqueued meanwhile, or waiting for what was just sent.
    Each lane's last row is recorded with the next round's first page (`run_lane`).
    `until` (a `time.monotonic()` value) ends delivery early; what is left stays pending.
    `pacing` remembers 429s across deliveries (a new one per call when not given)."""
    policy = Policy(now, lease, horizon, context, until or float("inf"))
    client = (pacing or Pacing()).client(client, now)
    sent, unrecorded = 0, {}
    for _ in range(5):
        done, unrecorded, went = _deliver_round(
            sessions, client, policy, subject, limit, threads, unrecorded
        )
        sent += done
        if not went or time.monotonic() > policy.until:
            break
    return sent + _record_apart(sessions, unrecorded, policy, set())


def lane(row_id: int, stream: str | None, after: str | None, payload: dict | None) -> tuple:
    """The lane a row goes out in (see the module docstring)."""
    if stream:
        return ("stream", stream)
    channel = (payload or {}).get("channel")
    if channel:
        return ("channel", channel, payload.get("user"))
    if after:
        return ("after", after)
    return ("row", row_id)


_c = OutboxMessage.__table__.c
# Core, built once: a page is read after every change, so no ORM session or bookkeeping.
PAGE = (
    select(_c.id, _c.stream, _c.after, _c.next_attempt_at, _c.payload, _c.claimed_until)
    .where(_c.status == OutboxStatus.PENDING, _c.id > bindparam("last"))
    .order_by(_c.id)
    .limit(bindparam("limit"))
)
OF_SUBJECT = PAGE.where(_c.subject == bindparam("kind"), _c.subject_id.in_(id_list()))
UPSTREAM = select(_c.idem_key, _c.status).where(_c.idem_key.in_(bindparam("keys")))


def _deliver_round(sessions, client, policy: Policy, subject, limit, threads, unrecorded):
    """One pass over what is pending. `unrecorded`: the last rows of the lanes before, sent
    and recorded with the reading of the first page. Returns how many rows were recorded
    sent, the last rows of this round's lanes by lane (sent, not recorded), and whether
    this round's lanes sent anything."""
    held: set[tuple] = set()
    sent, last, went = 0, 0, False
    params = {"limit": limit}
    if subject is not None:
        kind, ids = subject
        params.update(kind=kind, ids=ids if isinstance(ids, list) else [ids])
    while True:
        try:
            with sessions() as db, db.begin():
                sent += _record_together(db, unrecorded, policy, held)
                lanes, page = _page(
                    db, PAGE if subject is None else OF_SUBJECT, params, last, held, policy
                )
                first = _claim_ahead(db, lanes, policy, held) if len(lanes) <= AHEAD else {}
        except Exception:
            if not unrecorded:
                raise
            log.exception("outbox.record_together_failed", rows=len(unrecorded))
            sent += _record_apart(sessions, unrecorded, policy, held)
            unrecorded = {}
            continue
        unrecorded = {}
        for key, (done, through, attempt) in _run_lanes(
            sessions, client, lanes, first, policy, threads
        ).items():
            sent += done
            went = went or done > 0 or (attempt is not None and attempt.error is None)
            if not through:
                held.add(key)
            if attempt is not None:
                unrecorded[key] = attempt
        if len(page) < limit or time.monotonic() > policy.until:
            return sent, unrecorded, went
        last = page[-1].id


def _record_together(db, unrecorded: dict, policy: Policy, held: set) -> int:
    """Record lanes' last rows; how many were sent. A lane whose row waits is `held`."""
    sent = 0
    for key, attempt in unrecorded.items():
        outcome = record(db, attempt, policy)
        if outcome == SENT:
            sent += 1 + len(attempt.also)
        elif outcome == HELD:
            held.add(key)
    return sent


def _record_apart(sessions, unrecorded: dict, policy: Policy, held: set) -> int:
    """Each in a transaction of its own: one that cannot be recorded stays claimed (after
    its lease it is looked for in Slack before it is sent again), and the rest go on."""
    sent = 0
    for key, attempt in unrecorded.items():
        try:
            with sessions() as db, db.begin():
                sent += _record_together(db, {key: attempt}, policy, held)
        except Exception:  # noqa: BLE001 - one row must not keep the others unrecorded
            log.exception("outbox.record_failed", outbox_id=attempt.row.id, kind=attempt.row.kind)
            held.add(key)
    return sent


def _page(db, statement, params: dict, last: int, held: set, policy: Policy):
    """The lanes of the next page of pending rows, and the page."""
    conn = db.connection()
    page = conn.execute(statement, {**params, "last": last}).all()
    keys = {r.after for r in page if r.after}
    upstream = dict(conn.execute(UPSTREAM, {"keys": list(keys)}).all()) if keys else {}
    lanes: dict[tuple, list[int]] = {}
    now = policy.now()
    for row_id, stream, after, due_at, payload, claimed_until in page:
        key = lane(row_id, stream, after, payload)
        if key in held:
            continue
        if after is not None and upstream.get(after) == OutboxStatus.FAILED:
            row = db.get(OutboxMessage, row_id)
            if row.status == OutboxStatus.PENDING:
                fail(db, row, now, "upstream_failed")
            continue
        if (
            due_at > now
            or (claimed_until is not None and claimed_until > now)  # being sent elsewhere
            or (after is not None and upstream.get(after) != OutboxStatus.SENT)
        ):
            held.add(key)
        else:
            lanes.setdefault(key, []).append(row_id)
    return lanes, page


def _claim_ahead(db, lanes: dict, policy: Policy, held: set) -> dict[tuple, tuple]:
    """The lanes' first rows, claimed in the transaction that read them (rather than in a
    transaction each, as a lane claims its next rows); a lane that waits is `held`, one
    with nothing left to send is dropped."""
    first = {}
    for key, ids in list(lanes.items()):
        claimed = claim_first(db, ids, policy)
        if isinstance(claimed, tuple):
            first[key] = claimed
            continue
        del lanes[key]
        if claimed == HELD:
            held.add(key)
    return first


def _run_lanes(sessions, client, lanes: dict, first: dict, policy: Policy, threads: int):
    """Each lane in order, the lanes at once (one alone runs in the calling thread); the
    longest lanes start first, so that a round lasts about as long as its longest lane.
    `first`: lanes whose first row is claimed already."""
    if threads <= 1 or len(lanes) <= 1:
        return {
            key: run_lane(sessions, client, ids, policy, first.get(key))
            for key, ids in lanes.items()
        }
    pool = _pool(threads)
    longest_first = sorted(lanes.items(), key=lambda lane: -len(lane[1]))  # they end last
    futures = {
        key: pool.submit(run_lane, sessions, client, ids, policy, first.get(key))
        for key, ids in longest_first
    }
    wait(futures.values())
    return {key: future.result() for key, future in futures.items()}


def _pool(threads: int) -> ThreadPoolExecutor:
    with _pools_lock:
        if threads not in _pools:
            _pools[threads] = ThreadPoolExecutor(threads, thread_name_prefix="outbox")
        return _pools[threads]
