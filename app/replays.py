"""Slack requests seen before, kept in the database so that every web worker agrees.

A replayed request carries the same X-Slack-Signature; it is only valid while its timestamp is
within five minutes of now (either side), so a signature needs remembering for ten. Slack
retries an event up to three times over about five minutes, each signed afresh: the event id
is what repeats, and it is kept for an hour. The clock forgets older keys once a tick, so a
request costs one insert."""

from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from app.db import transaction
from app.models import SeenRequest

KEEP = timedelta(hours=1)


def request_key(signature: str, body: dict) -> str:
    """What identifies this delivery: an event's id, else the request's signature."""
    event_id = body.get("event_id")
    if body.get("type") == "event_callback" and isinstance(event_id, str) and event_id:
        return f"event:{event_id[:90]}"
    return signature[:100]


# Built once: every request runs one of them. On PostgreSQL the insert also turns off the
# wait for the WAL flush for its transaction: a row lost in a crash costs at most a replay.
_ROW = {"key": bindparam("key"), "seen_at": bindparam("seen_at", type_=SeenRequest.seen_at.type)}
_NO_FLUSH = func.set_config("synchronous_commit", "off", True) == "off"
_SEEN = SeenRequest.__table__  # Core: no ORM bookkeeping
_PG_RECORD = (
    pg_insert(_SEEN)
    .from_select(list(_ROW), select(*_ROW.values()).where(_NO_FLUSH))
    .on_conflict_do_nothing()
    .returning(_SEEN.c.key)
)
_SQLITE_RECORD = sqlite_insert(_SEEN).values(**_ROW).on_conflict_do_nothing().returning(_SEEN.c.key)


def first_sighting(sessions: sessionmaker[Session], key: str, *, now: datetime) -> bool:
    """Record `key`; False when some worker recorded it before (insert-or-ignore, committed
    before the request is handled, so two workers racing on one request get one True)."""
    engine, params = sessions.kw["bind"], {"key": key, "seen_at": now}
    if engine.dialect.name != "postgresql":
        with engine.begin() as conn:  # Core: one statement needs no ORM session
            return conn.scalar(_SQLITE_RECORD, params) is not None
    # One statement is its own transaction: one round trip instead of three.
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        return conn.scalar(_PG_RECORD, params) is not None


def forget_old(sessions: sessionmaker[Session], *, now: datetime) -> int:
    """Drop keys older than KEEP (by the clock); returns how many went."""
    with transaction(sessions) as db:
        return db.execute(delete(SeenRequest).where(SeenRequest.seen_at < now - KEEP)).rowcount
