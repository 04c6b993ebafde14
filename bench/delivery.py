"""Outbox delivery throughput against a slow Slack: the simulator in its own process
(`python -m app.simulator --latency-ms 100`), 400 messages over 200 channels enqueued at
once, timed until the last one is sent; several runs, median and spread. Checks (and
prints) that none went twice and that each channel got its messages in order. Prints
figures; asserts nothing.

    .venv/bin/python bench/delivery.py [--runs 3] [--latency-ms 100] [--rate-limits]
        [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

import argparse
import inspect
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from slack_sdk import WebClient
from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import db as relay_db  # noqa: E402
from app.effects import outbox  # noqa: E402
from app.effects.transport import KeptAliveClient  # noqa: E402
from app.models import OutboxMessage  # noqa: E402
from app.playbook import load_playbook  # noqa: E402
from app.runtime import Relay  # noqa: E402

EFFECTS, CHANNELS = 400, 200


def quiet() -> None:
    import logging

    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


@contextmanager
def simulator_process(command: list[str]):
    """Start a simulator process; yields its api_url, bot_token and channels (name -> id)."""
    proc = subprocess.Popen(
        [sys.executable, *command], cwd=ROOT, stdout=subprocess.PIPE, text=True, bufsize=1
    )
    try:
        found: dict = {"channels": {}}
        wanted = command.count("--channel")
        while "bot_token" not in found or len(found["channels"]) < wanted:
            line = proc.stdout.readline().strip()
            if not line and proc.poll() is not None:
                raise SystemExit(f"the simulator did not start: {command[:6]}")
            if line.startswith("channel #"):
                name, _, cid = line.removeprefix("channel #").partition("=")
                found["channels"][name] = cid
            elif line.startswith(("api_url=", "bot_token=")):
                key, _, value = line.partition("=")
                found[key] = value
        yield found
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def supports_rate_limits() -> bool:
    from app.simulator import SlackSimulator

    return "rate_limits" in inspect.signature(SlackSimulator).parameters


def client_for(found: dict) -> WebClient:
    # As Relay builds it (app/startup.py web_client): kept-alive connections, no retries.
    return KeptAliveClient(
        token=found["bot_token"], base_url=found["api_url"], timeout=10, retry_handlers=[]
    )


def one_run(relay: Relay, channels: list[str], run: str) -> tuple[float, int]:
    now = datetime.now(UTC)
    rows = [
        outbox.row(
            key=f"bench:{run}:{n}",
            kind="message",
            payload={"channel": channels[n % len(channels)], "text": f"{run}:{n}"},
            now=now,
        )
        for n in range(EFFECTS)
    ]
    with relay.sessions() as db, db.begin():
        outbox.enqueue_rows(db, rows)
    start = time.perf_counter()
    while True:
        if relay.deliver():
            continue
        if not pending(relay, run) or time.perf_counter() - start > 60:
            break
        time.sleep(0.05)  # rows wait out a 429's Retry-After
    return time.perf_counter() - start, pending(relay, run)


def pending(relay: Relay, run: str) -> int:
    with relay.sessions() as db:
        rows = db.scalars(
            select(OutboxMessage.status).where(OutboxMessage.idem_key.like(f"bench:{run}:%"))
        )
        return sum(1 for status in rows if status.value != "sent")


def outbox_order(relay: Relay, run: str) -> tuple[str, bool, int]:
    """With Slack's limits on, conversations.history is limited too: order from the outbox
    (each channel's messages got rising ts in the order they were enqueued) and how many
    rows needed more than one attempt (429s); "none twice" cannot be told from there."""
    with relay.sessions() as db:
        found = db.execute(
            select(OutboxMessage.payload, OutboxMessage.result, OutboxMessage.attempts)
            .where(OutboxMessage.idem_key.like(f"bench:{run}:%"))
            .order_by(OutboxMessage.id)
        ).all()
    stamps: dict[str, list[float]] = {}
    for payload, result, _ in found:
        stamps.setdefault(payload["channel"], []).append(float((result or {}).get("ts", 0)))
    in_order = all(ts == sorted(ts) for ts in stamps.values())
    return "n/a", in_order, sum(1 for *_, attempts in found if attempts > 1)


def check(client: WebClient, channels: list[str], run: str) -> tuple[bool, bool]:
    """None twice, and each channel's messages in the order they were enqueued."""

    def texts(channel: str) -> list[str]:
        found = client.api_call("conversations.history", json={"channel": channel, "limit": 100})
        return [m["text"] for m in reversed(found["messages"])]  # newest first from Slack

    with ThreadPoolExecutor(20) as pool:
        seen = dict(zip(channels, pool.map(texts, channels), strict=True))
    counts = Counter(t for got in seen.values() for t in got)
    once = len(counts) == EFFECTS and max(counts.values()) == 1
    in_order = all(got == sorted(got, key=lambda t: int(t.split(":")[1])) for got in seen.values())
    return once, in_order


def measure(url: str, args, rate_limits: bool) -> str:
    names = [f"r{run}-c{n:03d}" for run in range(args.runs) for n in range(CHANNELS)]
    command = ["-m", "app.simulator", "--port", "0", "--latency-ms", str(args.latency_ms)]
    command += ["--rate-limits"] if rate_limits else []
    for name in names:
        command += ["--channel", name]
    engine = relay_db.make_engine(url, pool_size=50)
    with simulator_process(command) as found:
        client = client_for(found)
        relay = Relay(
            load_playbook(ROOT / "playbook.yml"), relay_db.make_sessionmaker(engine), client
        )
        if args.threads:
            relay.delivery_threads = args.threads
        times, left, once, in_order, retried = [], 0, True, True, 0
        for run in range(args.runs):
            channels = [found["channels"][f"r{run}-c{n:03d}"] for n in range(CHANNELS)]
            key = f"{'limited' if rate_limits else 'free'}-{run}"  # one database for all
            seconds, not_sent = one_run(relay, channels, key)
            times.append(seconds)
            left += not_sent
            run_once, run_order, run_retried = outbox_order(relay, key)
            retried += run_retried
            if not rate_limits:
                run_once, run_order = check(client, channels, key)
            once = run_once if run_once == "n/a" else once and run_once
            in_order = in_order and run_order
    engine.dispose()
    spread = f"{min(times):.2f}-{max(times):.2f}"
    runs = " ".join(f"{t:.2f}" for t in times)
    return (
        f"{statistics.median(times):9.2f} {spread:>12} {left:>8} {str(once):>10} "
        f"{str(in_order):>8} {retried:>7}  runs: {runs}"
    )


def databases(stack: ExitStack, pg_url: str | None) -> dict[str, str]:
    """A migrated SQLite file and, given `pg_url`, a scratch PostgreSQL database beside it
    (both gone when `stack` closes)."""
    folder = stack.enter_context(tempfile.TemporaryDirectory())
    urls = {"sqlite": f"sqlite:///{folder}/bench.db"}
    relay_db.upgrade(urls["sqlite"])
    if pg_url:
        urls["postgresql"] = stack.enter_context(relay_db.scratch_database(pg_url))
    return urls


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency-ms", type=float, default=100)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--rate-limits", action="store_true", help="also with Slack's limits")
    parser.add_argument("--threads", type=int, help="DELIVERY_THREADS (default: Relay's)")
    args = parser.parse_args()
    quiet()
    print(
        f"delivery of {EFFECTS} messages over {CHANNELS} channels, simulator in its own process "
        f"answering in {args.latency_ms:.0f} ms, {args.runs} runs"
    )
    print(
        f"{'database':10} {'limits':6} {'median s':>9} {'spread s':>12} {'not sent':>8} "
        f"{'none twice':>10} {'in order':>8} {'retried':>7}"
    )
    limits = [False] + ([True] if args.rate_limits and supports_rate_limits() else [])
    with ExitStack() as stack:
        for name, url in databases(stack, args.pg).items():
            for rate_limits in limits:
                line = measure(url, args, rate_limits)
                print(f"{name:10} {'on' if rate_limits else 'off':6} {line}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
