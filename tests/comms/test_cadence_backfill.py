"""Migration 0011: tickets opened before update cadences existed (0007) owe updates without
waiting for their next change. The clock's first tick after the upgrade gives each open,
unpaused ticket its cadence; the reminder follows one cadence later, through the simulator.
Paused and resolved tickets owe none."""

from datetime import timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from app import changes, clock
from app import db as relay_db
from app.drills.workspace import seed_workspace
from app.models import Deadline, Status, TimelineEvent, UpdateCadence
from app.runtime import Relay
from app.simulator import SlackSimulator
from tests.sla.test_escalation import MON_0900, open_sev3, uid
from tests.test_clock import Clock, dms_to


@pytest.fixture
def sim(playbook):
    with SlackSimulator(signing_secret="backfill-tests") as sim:
        seed_workspace(sim, playbook)
        yield sim


@pytest.fixture
def old_url(database_url, tmp_path):
    """An empty database at 0008, the head before the backfill."""
    if database_url.startswith("postgresql"):
        with relay_db.scratch_database(database_url, migrate=False) as url:
            relay_db.upgrade(url, "0008")
            yield url
        return
    url = f"sqlite:///{tmp_path}/old.db"
    relay_db.upgrade(url, "0008")
    yield url


def test_open_tickets_without_a_cadence_get_one_at_the_first_tick(old_url, sim, playbook):
    engine = relay_db.make_engine(old_url)
    sessions = relay_db.make_sessionmaker(engine)
    helen = uid(playbook, "helen.carter")
    made = {}
    with sessions() as db, db.begin():
        for name, status in (
            ("open", Status.IN_PROGRESS),
            ("paused", Status.WAITING),
            ("resolved", Status.RESOLVED),
        ):  # as 0006 left them: no cadence, no update timers
            ticket = open_sev3(
                db,
                playbook,
                severity=1,
                override_reason="x",
                reporter_id=helen,
                title=f"Old {name} ticket",
            )
            ticket.status = status
            made[name] = ticket
        current = open_sev3(db, playbook, severity=1, override_reason="x", reporter_id=helen)
        changes.record_opening(db, playbook, current, now=MON_0900)  # has its cadence
        db.flush()
        ids = {name: t.id for name, t in made.items()} | {"current": current.id}
    with sessions() as db:
        had = db.get(UpdateCadence, ids["current"]).due_at

    relay_db.upgrade(old_url, "0011")
    later = MON_0900 + timedelta(hours=5)
    client = WebClient(token=sim.bot_token, base_url=sim.api_url)
    relay = Relay(playbook, sessions, client, now=Clock(later))
    clock.tick(relay)

    with sessions() as db:
        cadences = {c.ticket_id: c for c in db.scalars(select(UpdateCadence))}
        timers = set(
            db.execute(
                select(Deadline.subject_id, Deadline.kind).where(Deadline.kind.like("update.%"))
            )
        )
    assert cadences[ids["open"]].due_at == later + timedelta(minutes=30)  # Sev1 cadence
    assert {(ids["open"], "update.due"), (ids["open"], "update.overdue")} <= timers
    assert ids["paused"] not in cadences and ids["resolved"] not in cadences
    assert not {t for t in timers if t[0] in (ids["paused"], ids["resolved"])}
    assert cadences[ids["current"]].due_at == had  # a ticket with a cadence keeps it

    relay.now = Clock(later + timedelta(minutes=30))
    clock.tick(relay)
    with sessions() as db:
        reminded = db.scalars(
            select(TimelineEvent).where(TimelineEvent.kind == "update.reminder")
        ).all()
    by_ticket = {e.ticket_id: e for e in reminded}  # the current ticket's was due too
    assert ids["open"] in by_ticket and not {ids["paused"], ids["resolved"]} & set(by_ticket)
    [person] = by_ticket[ids["open"]].after["remind"]
    assert len(dms_to(sim, person, "Old open ticket")) == 1  # the reminder DM, delivered
    engine.dispose()
