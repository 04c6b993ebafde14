"""Slack requests seen before, kept in the database so that every web worker agrees.

A replayed request carries the same X-Slack-Signature; it is only valid while its timestamp is
within five minutes of now (either side), so a signature needs remembering for ten. Slack
retries an event up to three times over about five minutes, each signed afresh: the event id
is what repeats, and it is kept for an hour. The clock forgets older keys once a tick, so a
request costs one insert."""

from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, text
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


# Built once: every request runs one of them.
_NO_FLUSH = text("SET LOCAL synchronous_commit = off")
_RECORD = {
    postgres: insert(SeenRequest)
    .values(key=bindparam("key"), seen_at=bindparam("seen_at"))
    .on_conflict_do_nothing()
    .returning(SeenRequest.key)
    for postgres, insert in ((True, pg_insert), (False, sqlite_insert))
}


def first_sighting(sessions: sessionmaker[Session], key: str, *, now: datetime) -> bool:
    """Record `key`; False when some worker recorded it before (insert-or-ignore, committed
    before the request is handled, so two workers racing on one request get one True)."""
    with transaction(sessions) as db:
        postgres = db.bind.dialect.name == "postgresql"
        if postgres:  # no WAL flush to wait for: a row lost in a crash costs at most a replay
            db.execute(_NO_FLUSH)
        added = db.scalar(_RECORD[postgres], {"key": key, "seen_at": now})
        return added is not None


def forget_old(sessions: sessionmaker[Session], *, now: datetime) -> int:
    """Drop keys older than KEEP (by the clock); returns how many went."""
    with transaction(sessions) as db:
        return db.execute(delete(SeenRequest).where(SeenRequest.seen_at < now - KEEP)).rowcount
