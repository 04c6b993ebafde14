"""War room readiness against the simulator in its own process (seeded with the playbook's
people and queue channels, answering each Web API call in `--latency-ms`):

1. declared → ready: a Sev1 declared by an approver (no gate) through the change layer, as
   the form does, timed until every part of its war room is made (channel, invitations,
   topic, purpose, bookmarks, pinned summary and role card: all `channel.*` rows sent);
2. approved → ready: a Sev1 declared by an agent, its card delivered, then an approver's
   Approve timed the same way;
3. a burst of 30 Sev1 declarations at once with the simulator enforcing Slack's limits
   (Tier 2, 20 a minute, on conversations.create): Relay's delivery is run again, as the
   clock would, until every war room is ready; says whether each ticket got exactly one
   channel and how long the last took.

Medians and p99 over `--runs` declarations; on SQLite and PostgreSQL (a scratch database
beside `--pg`). Prints figures; asserts nothing.

    .venv/bin/python bench/war_room.py [--runs 20] [--burst 30] [--latency-ms 100]
        [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test] [--no-burst]
"""

import argparse
import logging
import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import structlog
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import changes, incident_changes, tickets  # noqa: E402
from app import db as relay_db  # noqa: E402
from app.incidents import approvals  # noqa: E402
from app.models import Channel, OutboxMessage, OutboxStatus, Ticket  # noqa: E402
from app.playbook import load_playbook  # noqa: E402
from app.runtime import Relay  # noqa: E402
from bench.delivery import client_for, databases, quiet, simulator_process  # noqa: E402
from bench.figures import pct  # noqa: E402

PLAYBOOK = load_playbook(ROOT / "playbook.yml")
APPROVER, AGENT = PLAYBOOK.user_id("rachel.stone"), PLAYBOOK.user_id("amara.okafor")
DECIDER = PLAYBOOK.user_id("helen.carter")
LIMIT_S = 600  # a war room not ready by then counts as not ready


def intake(reporter: str, n: int) -> tickets.Intake:
    return tickets.Intake(
        reporter_id=reporter,
        title=f"Checkout down {n}",
        description="Every card payment fails with a 502.",
        impact="All users affected; no checkout possible.",
        team="payments",
        customer="acme-bank",
        escalation_type="technical",
        severity=1,
        override_reason="bench",
        intake_id=f"bench-{uuid.uuid4().hex}",
    )


def declare(relay: Relay, reporter: str, n: int) -> Ticket:
    checked = tickets.check_intake(relay.playbook, intake(reporter, n))
    return changes.open_ticket(relay, checked).ticket


def unready(relay: Relay, ticket_ids: list[int]) -> int:
    """How many of these tickets' channel rows are not sent yet (none made yet counts 1)."""
    with relay.sessions() as db:
        rows = db.execute(
            select(OutboxMessage.subject_id, OutboxMessage.status).where(
                OutboxMessage.subject == "ticket",
                OutboxMessage.subject_id.in_(ticket_ids),
                OutboxMessage.kind.like("channel.%"),
            )
        ).all()
    made = {subject for subject, _ in rows}
    waiting = sum(1 for _, status in rows if status != OutboxStatus.SENT)
    return waiting + len(set(ticket_ids) - made)


def until_ready(relay: Relay, ticket_ids: list[int], start: float) -> float:
    """Deliver (as the clock would) until these war rooms are ready; seconds since start."""
    while unready(relay, ticket_ids):
        if time.perf_counter() - start > LIMIT_S:
            print(f"  not ready after {LIMIT_S} s: {still_pending(relay, ticket_ids)}")
            return float("nan")
        if not relay.deliver():
            time.sleep(0.02)  # rows wait for an upstream row or a 429's Retry-After
    return time.perf_counter() - start


def still_pending(relay: Relay, ticket_ids: list[int]) -> dict:
    with relay.sessions() as db:
        rows = db.execute(
            select(OutboxMessage.kind, func.count())
            .where(
                OutboxMessage.subject_id.in_(ticket_ids),
                OutboxMessage.status != OutboxStatus.SENT,
            )
            .group_by(OutboxMessage.kind)
        ).all()
    return dict(rows)


def created_after(relay: Relay, ticket_ids: list[int], start_at) -> float:
    """Seconds from the burst's start to the last `channel.create` sent."""
    with relay.sessions() as db:
        last = db.scalar(
            select(func.max(OutboxMessage.sent_at)).where(
                OutboxMessage.subject_id.in_(ticket_ids), OutboxMessage.kind == "channel.create"
            )
        )
    return (last - start_at).total_seconds() if last else float("nan")


def declared_to_ready(relay: Relay, runs: int) -> list[float]:
    times = []
    for n in range(runs):
        start = time.perf_counter()
        ticket = declare(relay, APPROVER, n)
        times.append(until_ready(relay, [ticket.id], start))
    return times


def approved_to_ready(relay: Relay, runs: int) -> list[float]:
    times = []
    for n in range(runs):
        ticket = declare(relay, AGENT, 1000 + n)
        relay.deliver()  # the card and the approver's DM go out first
        with relay.sessions() as db:
            waiting = approvals.pending(db, db.get(Ticket, ticket.id))
        start = time.perf_counter()
        incident_changes.decide_approval(
            relay, ticket.key, approval_id=waiting.id, approve=True, by=DECIDER
        )
        times.append(until_ready(relay, [ticket.id], start))
    return times


def burst(relay: Relay, client, count: int) -> tuple[float, int, bool]:
    """`count` declarations at once (as many form submissions on Bolt's threads)."""
    start, start_at = time.perf_counter(), relay.now()
    with ThreadPoolExecutor(count) as pool:
        made = list(pool.map(lambda n: declare(relay, APPROVER, 2000 + n), range(count)))
    seconds = until_ready(relay, [t.id for t in made], start)
    created = created_after(relay, [t.id for t in made], start_at)
    with relay.sessions() as db:
        rows = db.execute(
            select(Channel.ticket_id, Channel.slack_id).where(
                Channel.ticket_id.in_([t.id for t in made])
            )
        ).all()
        tickets_with_rows = db.scalar(
            select(func.count(func.distinct(Channel.ticket_id))).where(
                Channel.ticket_id.in_([t.id for t in made])
            )
        )
    ready = sum(1 for _, slack_id in rows if slack_id)
    keys = {t.key.lower() for t in made}
    time.sleep(61)  # conversations.list is Tier 2 as well: ask once the minute has passed
    listed = client.api_call("conversations.list", json={"limit": 1000, "types": "public_channel"})
    names = [c["name"] for c in listed["channels"]]
    per_key = [sum(1 for name in names if name.startswith(f"inc-{k}-")) for k in keys]
    once = tickets_with_rows == len(rows) == count and per_key == [1] * count
    return seconds, created, ready, once


def line(name: str, times: list[float]) -> str:
    done = [t for t in times if t == t]
    spread = f"{min(done) * 1000:.0f}-{max(done) * 1000:.0f}" if done else "-"
    median = statistics.median(done) * 1000 if done else float("nan")
    return (
        f"{name:34} median {median:7.0f} ms  p99 {pct(done, 99) * 1000:7.0f} ms  "
        f"range {spread} ms  ({len(done)}/{len(times)} ready)"
    )


def measure(db_name: str, url: str, args) -> None:
    engine = relay_db.make_engine(url, pool_size=50)
    sessions = relay_db.make_sessionmaker(engine)
    command = ["bench/playbook_simulator.py", "--latency-ms", str(args.latency_ms)]
    with simulator_process(command) as found:
        relay = Relay(PLAYBOOK, sessions, client_for(found))
        print(line(f"{db_name}: declared → ready", declared_to_ready(relay, args.runs)))
        print(line(f"{db_name}: approved → ready", approved_to_ready(relay, args.runs)))
    if args.burst:
        with simulator_process([*command, "--rate-limits"]) as found:
            client = client_for(found)
            relay = Relay(PLAYBOOK, sessions, client)
            seconds, created, ready, once = burst(relay, client, args.burst)
            print(
                f"{db_name}: burst of {args.burst} Sev1 under Slack's limits: last channel "
                f"created after {created:.1f} s, last war room ready after {seconds:.1f} s; "
                f"{ready}/{args.burst} channels made; one channel per ticket, none twice: {once}",
                flush=True,
            )
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--burst", type=int, default=30, help="0: no burst")
    parser.add_argument("--latency-ms", type=float, default=100)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    quiet()
    logging.getLogger().setLevel(logging.ERROR)  # 429s are the point of the burst, not news
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))
    print(
        f"war room ready (channel, invitations, topic, purpose, bookmarks, pins), simulator in "
        f"its own process answering in {args.latency_ms:.0f} ms, {args.runs} declarations"
    )
    with ExitStack() as stack:
        urls = databases(stack, None if args.sqlite_only else args.pg)
        for name, url in urls.items():
            measure(name, url, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
