"""The clock's changes: claim the tickets with a timer due and fire their timers, a batch
per transaction, through the same change layer as a click (app/changes.py)."""

from datetime import datetime, timedelta

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import deadlines, incidents, reviews, tickets
from app.changes import Change, commit_changes
from app.comms import cadence
from app.effects.ticket_effects import event_rows
from app.incidents import approvals
from app.inserts import id_list, store_new
from app.models import Ticket
from app.playbook import Playbook
from app.runtime import Relay
from app.sla import escalation

log = structlog.get_logger()

BATCH = 100
SET_ASIDE = timedelta(minutes=15)  # a ticket the clock cannot act on is tried again after this


def claim_due(db: Session, now: datetime, *, limit: int = BATCH) -> tuple[list[Ticket], bool]:
    """Lock tickets with a timer due (other clocks skip them on PostgreSQL); and whether
    more may be due."""
    ids, more = deadlines.due_subjects(db, "ticket", now, limit=limit)
    stmt = select(Ticket).where(Ticket.id.in_(id_list(ids))).order_by(Ticket.id)
    if db.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(db.scalars(stmt)), more


def fire_due_timers(relay: Relay, *, limit: int = BATCH) -> tuple[list[int], int]:
    """Fire every timer that is due, a batch of tickets per transaction. Returns the ids
    of the tickets acted on, in the order they were, and how many events happened."""
    acted: list[int] = []
    events = 0
    while True:
        with relay.sessions() as db, db.begin():
            now = relay.now()
            due, more = claim_due(db, now, limit=limit)
            kinds = deadlines.due_now(db, "ticket", [t.id for t in due], now)
            _cadences = cadence.load(db, kinds)  # read once for the batch, not once a ticket
            changes = [_fire(db, relay.playbook, t, kinds[t.id], now) for t in due]
            store_new(db, [e for c in changes for e in c.events])  # the events get their ids
            db.flush()
            rooms = incidents.open_rooms(db, [t.id for t in due])
            for change in changes:
                _render(relay.playbook, change, rooms)
            commit_changes(db, relay.playbook, changes)
        acted += [t.id for t in due]
        events += sum(len(c.events) for c in changes)
        if not more or not due:
            return acted, events


def _fire(db: Session, playbook: Playbook, ticket: Ticket, fired: list[str], now) -> Change:
    """One ticket's due timers, in isolation: a ticket that cannot be acted on (say, its
    team or escalation type is no longer in the playbook) is set aside with a timeline
    note, its half-made change undone, and the rest of the batch goes on. People the
    playbook dropped are not a reason: the ticket's policy snapshot still has them."""
    before = set(db.new)
    try:
        found = escalation.act_on_due(db, playbook, ticket, now=now, due=fired)
        found += incidents.act_on_due(db, ticket, now=now, due=fired)
        found += approvals.act_on_due(db, playbook, ticket, now=now, due=fired)
        found += cadence.act_on_due(db, playbook, ticket, now=now, due=fired)
        found += reviews.act_on_due(db, playbook, ticket, now=now, due=fired)
    except Exception as error:  # noqa: BLE001 - one ticket must not stop every team's clock
        with db.no_autoflush:
            for made in set(db.new) - before:
                db.expunge(made)
            db.refresh(ticket)  # back to what is stored
        log.exception("clock.ticket_failed", key=ticket.key, error=type(error).__name__)
        after = {"error": type(error).__name__, "timers": fired}
        tickets.add_event(db, ticket, kind="clock.set_aside", by=None, now=now, after=after)
        return Change(db, ticket, now, set_aside_until=now + SET_ASIDE)
    return Change(db, ticket, now, events=found, fired=fired)


def _render(playbook: Playbook, change: Change, rooms: dict[int, int]) -> None:
    """What a fired change posts (`rooms`: the batch's open channels); a change that cannot
    be rendered keeps its state and says so on the timeline instead of stopping the batch."""
    try:
        change.effects = event_rows(
            playbook, change.ticket, change.events, now=change.now, rooms=rooms
        )
    except Exception as error:  # noqa: BLE001
        log.exception("clock.notices_failed", key=change.ticket.key, error=type(error).__name__)
        after = {"error": type(error).__name__}
        tickets.add_event(
            change.db,
            change.ticket,
            kind="clock.not_notified",
            by=None,
            now=change.now,
            after=after,
        )
    change.rendered = True
