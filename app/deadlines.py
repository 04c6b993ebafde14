"""Timers in one place. Each pending timer is a `Deadline` row (subject, kind, due_at); a
capability says which timers a subject wants now (a pure function of its state) and what
happens when one fires (a handler). The change layer keeps the rows equal to what is wanted
after every change, and the clock claims the subjects with a row that is due."""

from datetime import datetime

from sqlalchemy import bindparam, delete, literal, select, update
from sqlalchemy.orm import Session

from app.inserts import id_list, insert_rows
from app.models import Deadline


def timer_rows(ticket_id, kind, due_at, *where):
    """A capability's timers as a statement of (ticket id, kind, due at) rows for the tickets
    bound as `ids`; `kind` is a name or an SQL expression. The change layer reads every
    capability's timers at once (`wanted`), so a change costs one query for them."""
    kind = literal(kind) if isinstance(kind, str) else kind
    return select(ticket_id, kind.label("kind"), due_at.label("due_at")).where(
        ticket_id.in_(id_list()), *where
    )


def wanted(db: Session, statement, ids: list[int]) -> dict[int, dict[str, datetime]]:
    """{ticket id: {kind: due_at}} from timer_rows (or a union of them), in one query."""
    found: dict[int, dict[str, datetime]] = {i: {} for i in ids}
    if ids:
        for ticket_id, kind, due_at in db.execute(statement, {"ids": ids}):
            found[ticket_id][kind] = due_at
    return found


def pending(db: Session, subject: str, ids: list[int]) -> dict[int, dict[str, datetime]]:
    """The pending timers of these subjects: {subject_id: {kind: due_at}}."""
    return {
        subject_id: {kind: due_at for kind, (_, due_at) in kinds.items()}
        for subject_id, kinds in _rows(db, subject, ids).items()
    }


_OF_SUBJECTS = select(Deadline.id, Deadline.subject_id, Deadline.kind, Deadline.due_at).where(
    Deadline.subject == bindparam("subject"),
    Deadline.subject_id.in_(id_list()),
)  # built once: every change runs it


def _rows(db: Session, subject: str, ids: list[int]) -> dict[int, dict[str, tuple]]:
    """{subject_id: {kind: (row id, due_at)}} in one query."""
    found: dict[int, dict[str, tuple]] = {i: {} for i in ids}
    if not ids:
        return found
    for row_id, subject_id, kind, due_at in db.execute(
        _OF_SUBJECTS, {"subject": subject, "ids": ids}
    ):
        found[subject_id][kind] = (row_id, due_at)
    return found


# Built once, and Core (no ORM bookkeeping): every change runs some of them.
_TABLE = Deadline.__table__
_GONE = delete(_TABLE).where(_TABLE.c.id.in_(id_list()))
_MOVED = update(_TABLE).where(_TABLE.c.id == bindparam("row_id")).values(due_at=bindparam("due_at"))


def sync(db: Session, subject: str, wanted: dict[int, dict[str, datetime]]) -> None:
    """Make the pending timers of these subjects exactly `wanted`: one query and at most
    three statements, however many subjects and timers."""
    have = _rows(db, subject, list(wanted))
    gone, moved, new = [], [], []
    for subject_id, kinds in wanted.items():
        for kind, (row_id, due_at) in have[subject_id].items():
            if kind not in kinds:
                gone.append(row_id)
            elif kinds[kind] != due_at:
                moved.append({"row_id": row_id, "due_at": kinds[kind]})
        new += [
            {"subject": subject, "subject_id": subject_id, "kind": kind, "due_at": due_at}
            for kind, due_at in kinds.items()
            if kind not in have[subject_id]
        ]
    conn = db.connection()
    if gone:
        conn.execute(_GONE, {"ids": gone})
    if moved:
        conn.execute(_MOVED, moved)  # one executemany
    insert_rows(conn, _TABLE, new)


def due_subjects(db: Session, subject: str, now: datetime, *, limit: int) -> tuple[list[int], bool]:
    """Ids of subjects with a timer due at `now`, earliest first (from the first `limit`
    timers due), and whether more timers than that are due. One row past `limit` says so:
    a batch of exactly `limit` is not followed by a transaction that finds nothing."""
    found = db.scalars(
        select(Deadline.subject_id)
        .where(Deadline.subject == subject, Deadline.due_at <= now)
        .order_by(Deadline.due_at)
        .limit(limit + 1)
    ).all()
    return list(dict.fromkeys(found[:limit])), len(found) > limit


def due_now(db: Session, subject: str, ids: list[int], now: datetime) -> dict[int, list[str]]:
    """The kinds due at `now` per subject, earliest first."""
    found: dict[int, list[str]] = {i: [] for i in ids}
    rows = db.execute(
        select(Deadline.subject_id, Deadline.kind)
        .where(
            Deadline.subject == subject,
            Deadline.subject_id.in_(id_list(ids)),
            Deadline.due_at <= now,
        )
        .order_by(Deadline.due_at, Deadline.id)
    )
    for subject_id, kind in rows:
        found[subject_id].append(kind)
    return found
