"""Timers as rows: `sync` makes a subject's pending timers exactly what it wants, and the
clock's queries find what is due, earliest first."""

from datetime import timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import StatementError

from app import deadlines
from app.inserts import id_list
from app.models import Deadline
from tests.conftest import NOW

HOUR = timedelta(hours=1)
SUBJECT = "test"  # not "ticket": tests before these leave tickets with timers due


def test_sync_adds_moves_and_removes_timers(db):
    deadlines.sync(db, SUBJECT, {1: {"a": NOW, "b": NOW + HOUR}, 2: {"a": NOW + 2 * HOUR}})
    assert deadlines.pending(db, SUBJECT, [1, 2]) == {
        1: {"a": NOW, "b": NOW + HOUR},
        2: {"a": NOW + 2 * HOUR},
    }
    deadlines.sync(db, SUBJECT, {1: {"b": NOW + 3 * HOUR, "c": NOW}})
    assert deadlines.pending(db, SUBJECT, [1, 2]) == {
        1: {"b": NOW + 3 * HOUR, "c": NOW},
        2: {"a": NOW + 2 * HOUR},  # a subject not named is left alone
    }
    deadlines.sync(db, SUBJECT, {1: {}})
    assert deadlines.pending(db, SUBJECT, [1]) == {1: {}}


def test_subjects_are_kept_apart(db):
    deadlines.sync(db, SUBJECT, {7: {"a": NOW}})
    deadlines.sync(db, "review", {7: {"a": NOW + HOUR}})
    assert deadlines.pending(db, SUBJECT, [7]) == {7: {"a": NOW}}
    ids, more = deadlines.due_subjects(db, "review", NOW, limit=10)
    assert (ids, more) == ([], False)


def test_due_subjects_earliest_first_and_says_when_there_may_be_more(db):
    deadlines.sync(
        db,
        SUBJECT,
        {
            1: {"late": NOW - HOUR, "later": NOW + HOUR},
            2: {"early": NOW - 3 * HOUR, "also": NOW - 2 * HOUR},
            3: {"future": NOW + HOUR},
        },
    )
    assert deadlines.due_subjects(db, SUBJECT, NOW, limit=10) == ([2, 1], False)
    assert deadlines.due_subjects(db, SUBJECT, NOW, limit=2) == ([2], True)
    assert deadlines.due_subjects(db, SUBJECT, NOW, limit=3) == ([2, 1], False)  # all of them
    assert deadlines.due_now(db, SUBJECT, [1, 2, 3], NOW) == {
        1: ["late"],
        2: ["early", "also"],
        3: [],
    }


def test_timers_of_a_batch_are_read_and_synced_with_their_ids_written_in(db):
    """A clock batch's ids go into the statements as numbers (app/inserts.id_list): 100
    bound one by one made statements psycopg parsed anew each time. Only integers go in."""
    statements = []

    def seen(_conn, _cursor, statement, parameters, _context, _many):
        statements.append((statement, parameters))

    engine = db.get_bind().engine
    many = {i: {"a": NOW + i * HOUR} for i in range(1000, 1100)}
    event.listen(engine, "before_cursor_execute", seen)
    try:
        deadlines.sync(db, SUBJECT, many)
        deadlines.sync(db, SUBJECT, {i: {} for i in many})  # each one's timer goes
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert deadlines.pending(db, SUBJECT, list(many)) == {i: {} for i in many}
    reads = [(s, p) for s, p in statements if s.startswith(("SELECT", "DELETE"))]
    assert len(reads) == 3 and "1099" in reads[0][0]  # two reads and a delete of 100 rows
    assert all(len(parameters) <= 1 for _, parameters in reads)  # the subject, or none
    with pytest.raises((ValueError, StatementError)):
        db.execute(select(Deadline.id).where(Deadline.id.in_(id_list(["1) OR (1=1"]))))
