"""Slack side effects committed with the state change, delivered right after commit.

Rows are claimed with a compare-and-set lease (safe with several processes on SQLite and
PostgreSQL), delivered in order within each ticket's card and thread streams, retried with
back-off that honours Retry-After, and keyed so that the same effect is never enqueued twice.

Two pseudo-methods need the ticket's card: `relay.card` posts the card into the team queue
channel the first time and updates it in place afterwards (channel and ts are written back);
`relay.thread` posts into the card's thread. The card is rendered when it is delivered
(`render_card`), so one delivery covers every card row pending for the ticket.
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

from app.models import OutboxMessage, OutboxStatus, Ticket

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


class Later(Exception):
    """The row cannot go yet (e.g. its ticket's card is not posted); try again soon."""


def row(*, key: str, method: str, payload: dict, now: datetime, ticket=None) -> dict:
    """One side effect, ready for `enqueue_rows`."""
    return {
        "idem_key": key,
        "ticket_id": ticket.id if ticket is not None else None,
        "method": method,
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


def enqueue(db: Session, *, key: str, method: str, payload: dict, now: datetime, ticket=None):
    enqueue_rows(db, [row(key=key, method=method, payload=payload, now=now, ticket=ticket)])


def _claim(db: Session, row_id: int, now: datetime, lease: timedelta) -> bool:
    result = db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status == OutboxStatus.PENDING)
        .where(or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
        .values(claimed_until=now + lease)
    )
    return result.rowcount == 1


def _send(client: WebClient, method: str, args: dict, card: tuple | None) -> dict:
    """One Slack call. `card` is the ticket's (channel, ts) for the card pseudo-methods."""
    if method == "relay.card" and card[1]:
        return client.api_call("chat.update", json={**args, "channel": card[0], "ts": card[1]}).data
    if method == "relay.thread":
        if not card[1]:
            raise Later("card not posted yet")
        args = {**args, "channel": card[0], "thread_ts": card[1]}
    if method in ("relay.card", "relay.thread"):
        method = "chat.postMessage"
    return client.api_call(method, json=args).data


def deliver(
    sessions: sessionmaker[Session],
    client: WebClient,
    *,
    now: Callable[[], datetime],
    ticket_id: int | None = None,
    limit: int = 200,
    lease: timedelta = LEASE,
    render_card: Callable[[Ticket], dict] | None = None,
) -> int:
    """Deliver what is due; returns how many rows were sent. A ticket's card rows go in
    order, and so do its thread rows: while one waits (back-off, claimed elsewhere, card
    not yet posted) the later ones of the same stream wait too. DMs never wait."""
    held: set[tuple[int, str]] = set()
    sent, after = 0, 0
    while True:
        with sessions() as db:
            stmt = select(
                OutboxMessage.id,
                OutboxMessage.ticket_id,
                OutboxMessage.method,
                OutboxMessage.next_attempt_at,
            )
            stmt = stmt.where(
                OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.id > after
            )
            if ticket_id is not None:
                stmt = stmt.where(OutboxMessage.ticket_id == ticket_id)
            page = db.execute(stmt.order_by(OutboxMessage.id).limit(limit)).all()
        for row_id, row_ticket, method, due_at in page:
            stream = (row_ticket, method) if method in ("relay.card", "relay.thread") else None
            if stream in held:
                continue
            if due_at <= now() and _deliver_one(sessions, client, row_id, now, lease, render_card):
                sent += 1
            elif stream is not None:
                held.add(stream)
        if len(page) < limit:
            return sent
        after = page[-1].id


def _deliver_one(sessions, client, row_id: int, now, lease: timedelta, render_card) -> bool:
    with sessions() as db, db.begin():
        if not _claim(db, row_id, now(), lease):
            return False
        row = db.get(OutboxMessage, row_id)
        method, args, key = row.method, dict(row.payload), row.idem_key
        ticket = db.get(Ticket, row.ticket_id) if row.ticket_id is not None else None
        card = (ticket.card_channel, ticket.card_ts) if ticket is not None else None
        covers = row_id
        if method == "relay.card" and render_card is not None:
            # The card shows the ticket as it is now, which also stands for the card rows
            # enqueued before this moment: they are done when this one is.
            args.update(render_card(ticket))
            covers = db.scalar(
                _pending_cards(row.ticket_id).with_only_columns(func.max(OutboxMessage.id))
            )
    bound = log.bind(outbox_id=row_id, method=method, key=key)
    answer = error = None
    try:
        answer = _send(client, method, args, card)
    except (Later, SlackApiError, URLError, TimeoutError, ConnectionError, OSError) as exc:
        error = exc
    with sessions() as db, db.begin():
        row = db.get(OutboxMessage, row_id)
        row.claimed_until = None
        if isinstance(error, Later):
            row.next_attempt_at = now() + timedelta(seconds=1)
            bound.debug("outbox.later", reason=str(error))
            return False
        row.attempts += 1
        if isinstance(error, SlackApiError):
            _failed(row, error, now(), bound)
            return False
        if error is not None:
            _retry(row, now(), None, type(error).__name__, bound)
            return False
        if method == "relay.card" and not card[1]:
            ticket = db.get(Ticket, row.ticket_id)
            ticket.card_channel, ticket.card_ts = answer["channel"], answer["ts"]
        row.result = {k: answer[k] for k in ("channel", "ts") if k in answer}
        row.status = OutboxStatus.SENT
        row.sent_at = now()
        if covers > row_id:
            superseded = _pending_cards(row.ticket_id).where(OutboxMessage.id <= covers)
            db.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(superseded.with_only_columns(OutboxMessage.id)))
                .values(status=OutboxStatus.SENT, sent_at=now(), result={"covered_by": row_id})
            )
        bound.info("outbox.sent", attempts=row.attempts)
        return True


def _pending_cards(ticket_id: int):
    return select(OutboxMessage).where(
        OutboxMessage.ticket_id == ticket_id,
        OutboxMessage.method == "relay.card",
        OutboxMessage.status == OutboxStatus.PENDING,
    )


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
