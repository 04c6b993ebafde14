"""Timers as rows: `sync` makes a subject's pending timers exactly what it wants, and the
clock's queries find what is due, earliest first."""

from datetime import timedelta

from app import deadlines
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
