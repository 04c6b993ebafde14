"""Clock tick cost with 100,000 open tickets and 100 due, on SQLite and on PostgreSQL: the
full tick (fire the timers, then send the cards, thread notices and DMs to a simulator in
its own process answering in 100 ms), and apart from it the decision part alone
(`fire_due_timers`: claim, act, re-sync timers, enqueue; no sending). Median and spread of
several ticks of each. Prints figures; asserts nothing.

    .venv/bin/python bench/clock_tick.py [--rounds 3] [--sizes 100000] [--latency-ms 100]
        [--pg postgresql+psycopg://...] [--one-rota]

The 100 due tickets breach their response target, so each is handed to its L2 primary and
its manager is told: two DMs per ticket. As real rotas do, the bench spreads those people
over the playbook's people (each due ticket's policy snapshot names another L2 primary,
secondary and manager, about 10 DMs per person, waiting at once: each person's go as one
digest, app/effects/digests.py). --one-rota keeps the shipped playbook's one L2 primary and
one manager for all 100 (200 DMs in two lanes, 20 to a digest).
"""

import argparse
import copy
import gc
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

from slack_sdk import WebClient
from sqlalchemy import delete, event, insert, select, update

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import db as relay_db  # noqa: E402
from app import tickets  # noqa: E402
from app.clock import tick  # noqa: E402
from app.models import Deadline, Ticket  # noqa: E402
from app.playbook import load_playbook  # noqa: E402
from app.runtime import Relay  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.sla import targets  # noqa: E402
from app.timer_changes import fire_due_timers  # noqa: E402
from bench.delivery import client_for, databases, simulator_process  # noqa: E402

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
        # The timers such a ticket has (its warning went out before): the response breach,
        # due now, and its resolution's, which the tick keeps.
        rows = []
        for ticket in db.scalars(select(Ticket).where(Ticket.id.in_(ids))):
            timers = {**targets.timers(ticket), "response.breach": NOW - timedelta(minutes=1)}
            timers.pop("response.warning", None)
            rows += [
                {"subject": "ticket", "subject_id": ticket.id, "kind": kind, "due_at": at}
                for kind, at in timers.items()
            ]
        db.execute(insert(Deadline), rows)


def spread_rotas(relay: Relay, ids: list[int]) -> None:
    """Give each due ticket another L2 primary, secondary and manager (by playbook handle,
    in its policy snapshot), in turn over the playbook's people."""
    people = list(relay.playbook.people)
    with relay.sessions() as db, db.begin():
        for n, ticket in enumerate(db.scalars(select(Ticket).where(Ticket.id.in_(ids)))):
            policy = copy.deepcopy(ticket.policy)
            policy["tiers"]["L2"] = {
                "primary": people[n % len(people)],
                "secondary": people[(n + 1) % len(people)],
            }
            policy["manager"] = people[(n + 2) % len(people)]
            ticket.policy = policy


def post_cards(relay: Relay, ids: list[int]) -> None:
    """Give the due tickets real cards in the simulator, so that a tick updates them and
    posts into their threads as it would in a workspace (untimed)."""
    channel = relay.playbook.teams["payments"].queue_channel

    def post(ticket_id: int) -> tuple[int, str]:
        answer = relay.client.api_call(
            "chat.postMessage", json={"channel": channel, "text": f"card {ticket_id}"}
        )
        return ticket_id, answer["ts"]

    with ThreadPoolExecutor(20) as pool:
        posted = list(pool.map(post, ids))
    with relay.sessions() as db, db.begin():
        for ticket_id, ts in posted:
            where = update(Ticket).where(Ticket.id == ticket_id)
            db.execute(where.values(card_channel=channel, card_ts=ts))


def drain(relay: Relay) -> None:
    while relay.deliver():
        pass


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):9.1f} {min(values):9.1f}-{max(values):<9.1f}"


class Statements:
    """Counts the statements an engine sends while `counting`."""

    def __init__(self, engine) -> None:
        self.counting, self.count = False, 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args) -> None:
        self.count += self.counting

    def during(self, run):
        self.counting, self.count = True, 0
        try:
            return run()
        finally:
            self.counting = False


def measure(url: str, sizes: list[int], rounds: int, client: WebClient, args) -> list[str]:
    settings = Settings(_env_file=None, delivery_threads=args.threads)
    threads = settings.delivery_threads_for("clock")
    # The clock's engine and delivery threads, as app/bot.py builds them.
    engine = relay_db.make_engine(url, pool_size=settings.pool_size_for("clock"))
    relay = Relay(
        load_playbook(ROOT / "playbook.yml"),
        relay_db.make_sessionmaker(engine),
        client=client,
        now=lambda: NOW,
        delivery_threads=threads,
    )
    statements = Statements(engine)
    row = template(relay)
    lines = []
    for size in sizes:
        ids = fill(relay, row, size)
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.exec_driver_sql("ANALYZE tickets")
                conn.exec_driver_sql("ANALYZE deadlines")
        if not args.one_rota:
            spread_rotas(relay, ids)
        post_cards(relay, ids)
        gc.collect()
        gc.freeze()  # as `relay clock` does once started: full collections skip start-up's objects
        decision, idle, full, sent, counted = [], [], [], [], []
        for _ in range(rounds):
            make_due(relay, ids)
            start = time.perf_counter()
            fired, found = statements.during(lambda: fire_due_timers(relay))
            decision.append((time.perf_counter() - start) * 1000)
            counted.append(statements.count)
            assert len(fired) == DUE and found == 3 * DUE, (len(fired), found)
            start = time.perf_counter()
            fire_due_timers(relay)
            idle.append((time.perf_counter() - start) * 1000)
            drain(relay)
            make_due(relay, ids)
            start = time.perf_counter()
            result = statements.during(lambda: tick(relay))
            full.append((time.perf_counter() - start) * 1000)
            counted.append(statements.count)
            sent.append(result.sent)
            drain(relay)
        lines.append(
            f"{size:8d} {spread(decision)} {statistics.median(idle):9.2f} {spread(full)} "
            f"{min(sent):4d}-{max(sent):<4d} {statistics.median(counted[0::2]):10.0f} "
            f"{statistics.median(counted[1::2]):10.0f}"
        )
    engine.dispose()
    return lines


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--latency-ms", type=float, default=100)
    parser.add_argument("--one-rota", action="store_true", help="every due ticket to one person")
    parser.add_argument("--threads", type=int, help="DELIVERY_THREADS (default: Relay's)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    quiet()
    print(
        f"clock tick, {DUE} due: decision = fire_due_timers (claim, act, re-sync timers, "
        f"enqueue; no sending); full = the clock's tick, sending to a simulator in its own "
        f"process answering in {args.latency_ms:.0f} ms; the due tickets' L2 owners and managers "
        f"{'all one person each' if args.one_rota else 'spread over the playbook people'}; "
        f"ms, median and min-max of {args.rounds}"
    )
    print(
        f"{'database':10} {'open':>8} {'decision':>9} {'spread':^19} {'0 due':>9} "
        f"{'full tick':>9} {'spread':^19} {'sent':>9} {'statements':>10} {'(full)':>10}"
    )
    command = ["bench/playbook_simulator.py", "--latency-ms", str(args.latency_ms)]
    with ExitStack() as stack:
        found = stack.enter_context(simulator_process(command))
        client = client_for(found)
        for name, url in databases(stack, args.pg).items():
            for line in measure(url, sizes, args.rounds, client, args):
                print(f"{name:10} {line}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
