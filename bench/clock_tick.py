"""Clock tick cost with 10,000 and 100,000 open tickets and 100 due, on SQLite and on
PostgreSQL: median of several ticks. Prints figures; asserts nothing.

    .venv/bin/python bench/clock_tick.py [--rounds 7] [--pg postgresql+psycopg://...]
"""

import argparse
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, insert, update

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import db as relay_db  # noqa: E402
from app import tickets  # noqa: E402
from app.changes import fire_due_timers  # noqa: E402
from app.models import Deadline, Ticket  # noqa: E402
from app.playbook import load_playbook  # noqa: E402
from app.runtime import Relay  # noqa: E402

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
DUE = 100


def quiet() -> None:
    import logging

    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


def template(relay: Relay) -> dict:
    """The columns of one real Sev1 ticket, opened through the domain."""
    with relay.sessions() as db, db.begin():
        intake = tickets.Intake(
            reporter_id="U0HW88GQ274",
            title="Checkout outage",
            description="d",
            impact="all users",
            team="payments",
            escalation_type="technical",
        )
        ticket, _ = tickets.open_ticket(
            db,
            relay.playbook,
            tickets.check_intake(relay.playbook, intake),
            now=NOW - timedelta(hours=2),  # its response breach is due at NOW
        )
        row = {c.key: getattr(ticket, c.key) for c in Ticket.__table__.columns}
    row.pop("id")
    return row


def fill(relay: Relay, row: dict, total: int) -> list[int]:
    """`total` open tickets far from due, then DUE of them made due now."""
    later = NOW + timedelta(days=30)
    with relay.sessions() as db, db.begin():
        start = db.query(Ticket).count()
        for first in range(start, total, 5000):
            batch = [
                {**row, "key": f"B-{n}", "intake_id": None}
                for n in range(first, min(first + 5000, total))
            ]
            db.execute(insert(Ticket), batch)
        db.execute(delete(Deadline))
        ids = [t.id for t in db.query(Ticket.id).order_by(Ticket.id)]
        for first in range(0, len(ids), 5000):
            timers = [
                {"subject": "ticket", "subject_id": i, "kind": "resolution.breach", "due_at": later}
                for i in ids[first : first + 5000]
            ]
            db.execute(insert(Deadline), timers)
        ids = ids[:DUE]
    return ids


def make_due(relay: Relay, ids: list[int]) -> None:
    with relay.sessions() as db, db.begin():
        db.execute(
            update(Ticket)
            .where(Ticket.id.in_(ids))
            .values(
                tier="L1",
                response_warned=False,
                response_breached=False,
                handoff_to=None,
                handoff_step=None,
                handoff_due_at=None,
            )
        )
        db.execute(delete(Deadline).where(Deadline.subject_id.in_(ids)))
        due = NOW - timedelta(minutes=1)
        db.execute(
            insert(Deadline),
            [
                {"subject": "ticket", "subject_id": i, "kind": "response.breach", "due_at": due}
                for i in ids
            ],
        )


def measure(url: str, sizes: list[int], rounds: int) -> list[tuple[int, float, float]]:
    engine = relay_db.make_engine(url)
    relay = Relay(
        load_playbook(ROOT / "playbook.yml"),
        relay_db.make_sessionmaker(engine),
        client=None,
        now=lambda: NOW,
    )
    row = template(relay)
    results = []
    for size in sizes:
        ids = fill(relay, row, size)
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.exec_driver_sql("ANALYZE tickets")
                conn.exec_driver_sql("ANALYZE deadlines")
        due_ms, idle_ms, events = [], [], []
        for _ in range(rounds):
            make_due(relay, ids)
            start = time.perf_counter()
            fired, found = fire_due_timers(relay)
            acted = len(fired)
            due_ms.append((time.perf_counter() - start) * 1000)
            assert acted == DUE and found == 3 * DUE, (acted, found)
            events.append(found)
            start = time.perf_counter()
            fire_due_timers(relay)
            idle_ms.append((time.perf_counter() - start) * 1000)
        results.append((size, statistics.median(due_ms), statistics.median(idle_ms), events[-1]))
    engine.dispose()
    return results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--sizes", default="10000,100000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    quiet()
    print(
        f"clock tick (claim, fire and re-sync timers, enqueue notices; no sending), "
        f"{DUE} due, median of {args.rounds}"
    )
    print(f"{'database':10} {'open':>8} {'100 due ms':>11} {'0 due ms':>9} {'events':>7}")
    with ExitStack() as stack:
        folder = stack.enter_context(tempfile.TemporaryDirectory())
        urls = {"sqlite": f"sqlite:///{folder}/tick.db"}
        relay_db.upgrade(urls["sqlite"])
        if args.pg:
            urls["postgresql"] = stack.enter_context(relay_db.scratch_database(args.pg))
        for name, url in urls.items():
            for size, due_ms, idle_ms, events in measure(url, sizes, args.rounds):
                print(f"{name:10} {size:8d} {due_ms:11.1f} {idle_ms:9.2f} {events:7d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
