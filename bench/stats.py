"""Stats, the weekly report and a /metrics scrape over 100,000 closed tickets (and 1,000
open ones) on PostgreSQL: `/esc stats` for all teams over 90 days and for one team over 30
days, the App Home (with its numbers section), the weekly report's data and its chart, and
a scrape of /metrics. Tickets are bulk-loaded with COPY. Median and spread (min–max) of
several runs. Prints figures; asserts nothing.

    .venv/bin/python bench/stats.py [--tickets 100000] [--runs 3]
        [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test] [--sqlite]
"""

import argparse
import json
import random
import sys
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from enum import Enum
from pathlib import Path

from slack_sdk import WebClient
from sqlalchemy import insert, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import db as relay_db  # noqa: E402
from app.listeners.events import handle_app_home_opened  # noqa: E402
from app.metrics import exposition, stats  # noqa: E402
from app.models import Ticket, TimelineEvent  # noqa: E402
from app.playbook import load_playbook  # noqa: E402
from app.reports import weekly  # noqa: E402
from app.reports.chart import chart_png  # noqa: E402
from app.runtime import Relay  # noqa: E402
from bench.clock_tick import quiet, template  # noqa: E402
from bench.figures import spread  # noqa: E402
from blocks.reports import report_text  # noqa: E402

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
TIERS = ("strategic", "enterprise", "standard", None)


def timeline(rng: random.Random, opened: datetime) -> list[tuple[str, datetime, dict | None]]:
    """A closed ticket's events: acknowledged, sometimes warned, breached, escalated with a
    handoff, reopened; resolved; a third rated."""
    at = opened + timedelta(minutes=rng.randint(2, 120))
    events = [("opened", opened, None), ("acknowledged", at, None)]
    if rng.random() < 0.2:
        events.append(("sla.warning", at, {"clock": "resolution"}))
    if rng.random() < 0.1:
        events.append(("sla.breached", at, {"clock": rng.choice(("response", "resolution"))}))
    if rng.random() < 0.15:
        events += [("escalated", at, None), ("handoff.offered", at, None)]
        events.append((rng.choice(("handoff.accepted", "handoff.expired")), at, None))
    resolved = at + timedelta(minutes=rng.randint(30, 3000))
    if rng.random() < 0.05:
        events += [("resolved", resolved, None), ("reopened", resolved, None)]
        resolved += timedelta(hours=2)
    events.append(("resolved", resolved, None))
    if rng.random() < 0.33:
        events.append(("rated", resolved, {"rating": rng.randint(1, 5), "comment": ""}))
    return events


def _cell(value):
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def load(url: str, relay: Relay, total: int, open_tickets: int) -> float:
    """`total` closed tickets over the last 90 days and `open_tickets` open ones; seconds."""
    started = time.perf_counter()
    row = template(relay)
    rng = random.Random(7)
    teams = list(relay.playbook.teams)
    tickets, events = [], []
    first_id = 10_000_000
    for n in range(total + open_tickets):
        opened = NOW - timedelta(minutes=rng.randint(60, 90 * 24 * 60))
        closed = n < total
        tickets.append(
            {
                **row,
                "id": first_id + n,
                "key": f"S-{n}",
                "intake_id": None,
                "severity": rng.choice((1, 2, 2, 3, 3, 3, 4, 4)),
                "team": rng.choice(teams),
                "customer_tier": rng.choice(TIERS),
                "status": "closed" if closed else "in_progress",
                "opened_at": opened,
                "resolution_breached": rng.random() < 0.05,
            }
        )
        for kind, at, after in timeline(rng, opened) if closed else [("opened", opened, None)]:
            events.append((first_id + n, at, kind, after))
    columns = list(tickets[0])
    with relay.sessions() as db, db.begin():
        conn = db.connection()
        if conn.dialect.name == "postgresql":
            cursor = conn.connection.driver_connection.cursor()
            with cursor.copy(f"COPY tickets ({', '.join(columns)}) FROM STDIN") as copy:
                for t in tickets:
                    copy.write_row([_cell(t[c]) for c in columns])
            with cursor.copy(
                "COPY timeline_events (ticket_id, at, kind, after) FROM STDIN"
            ) as copy:
                for ticket_id, at, kind, after in events:
                    copy.write_row((ticket_id, at, kind, json.dumps(after) if after else None))
        else:
            for first in range(0, len(tickets), 5000):
                db.execute(insert(Ticket), tickets[first : first + 5000])
            rows = [{"ticket_id": i, "at": a, "kind": k, "after": x} for i, a, k, x in events]
            for first in range(0, len(rows), 20000):
                db.execute(insert(TimelineEvent), rows[first : first + 20000])
    with relay.sessions() as db, db.begin():
        if db.connection().dialect.name == "postgresql":
            db.execute(text("ANALYZE tickets; ANALYZE timeline_events"))
    print(f"  loaded {total:,} closed + {open_tickets:,} open tickets, {len(events):,} events")
    return time.perf_counter() - started


class Publisher:
    def views_publish(self, user_id, view):
        self.blocks = len(view["blocks"])


def measure(name: str, url: str, args) -> None:
    playbook = load_playbook(ROOT / "playbook.yml")
    engine = relay_db.make_engine(url)
    sessions = relay_db.make_sessionmaker(engine)
    client = WebClient(token="xoxb-bench", base_url="http://127.0.0.1:9/")
    relay = Relay(playbook, sessions, client, now=lambda: NOW)
    print(f"{name}:")
    seconds = load(url, relay, args.tickets, args.open)
    print(f"  bulk load: {seconds:.1f} s")
    member = playbook.people["amara.okafor"].slack_id  # Payments: one team, 30 days
    report = {}

    def all_teams():
        with sessions() as db:
            return stats.compute(db, NOW - timedelta(days=90), NOW)

    def one_team():
        with sessions() as db:
            return stats.compute(db, NOW - timedelta(days=30), NOW, team="payments")

    def home():
        handle_app_home_opened({"user": member, "tab": "home"}, Publisher(), {"relay": relay})

    def home_first():  # the first open in a minute computes the numbers
        relay.home_numbers.clear()
        home()

    def report_data():
        with sessions() as db:
            report["built"] = weekly.build(db, end=NOW, weeks=8, worst=5)
        return report_text(report["built"], playbook)

    def chart():
        return chart_png(weekly.series(report["built"]))

    registry = exposition.registry(sessions, lambda: NOW)
    cases = [
        ("/esc stats, all teams, 90 days", all_teams),
        ("/esc stats, one team, 30 days", one_team),
        ("App Home, first open in a minute", home_first),
        ("App Home, opened again within it", home),
        ("weekly report data (8 weeks)", report_data),
        ("weekly report chart (PNG)", chart),
        ("/metrics scrape", lambda: exposition.scrape(registry)),
    ]
    for label, work in cases:
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            work()
            times.append((time.perf_counter() - started) * 1000)
        print(f"  {label:42} {spread(times):>24} ms", flush=True)
    counted = all_teams().overall.tickets
    print(f"  (all teams, 90 days counted {counted:,} tickets)")
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000, help="closed tickets")
    parser.add_argument("--open", type=int, default=1_000, help="open tickets")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--sqlite", action="store_true", help="also on SQLite")
    args = parser.parse_args()
    quiet()
    print(f"stats over {args.tickets:,} closed tickets; median (min–max) of {args.runs} runs")
    with ExitStack() as stack:
        if args.sqlite:
            folder = stack.enter_context(__import__("tempfile").TemporaryDirectory())
            url = f"sqlite:///{folder}/bench.db"
            relay_db.upgrade(url)
            measure("sqlite", url, args)
        try:
            url = stack.enter_context(relay_db.scratch_database(args.pg))
        except Exception as exc:  # noqa: BLE001 - no PostgreSQL: say so
            print(f"postgresql: skipped ({type(exc).__name__}: {exc})")
            return 0
        measure("postgresql", url, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
