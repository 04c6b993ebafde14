"""What a person in Slack feels from Relay's web process, beside a bare Bolt app that only
acks (bench/bare_app.py), on SQLite and on PostgreSQL. Prints figures; asserts nothing.

    .venv/bin/python bench/web.py [--quick] [--runs 3] [--database-url URL ...]

Three kinds of process, none sharing an interpreter: the Slack simulator
(bench/sim_process.py), the web apps (gunicorn from the Procfile's `web:` line: Relay, and
bare Bolt with the same settings) and an open-loop load generator (bench/load.py, started
afresh for each measurement) that sends signed Slack requests. For each database:

- 10 Sev1 tickets are opened through the form (simulator -> Relay), so there are cards;
- then, --runs times (Relay first in odd runs, bare Bolt first in even runs), against each:
  (a) changing clicks: the card's Assign picker at 50/s over the 10 cards, each click giving
      its card to someone other than its owner (every click writes): p50, p99 and CPU seconds
      (utime + stime of gunicorn's master and workers, from /proc) per 1,000 clicks, counted
      until the simulator has heard nothing for a moment (work after the ack included);
  (b) `/esc new` at 50/s (Relay opens the modal): p50, p99; then --burst of them at once
      (a Sev1 outage reported by many people): the slowest answer;
  (c) 50 people submit the Sev1 new-ticket form at once (their modals opened by Relay just
      before): the slowest answer, the time until all were answered, and how many forms were
      refused (not 200: Bolt answers 404 when a listener has not acked within 3 s);
- then (d) memory: each worker's VmRSS, once its app has served --mixed requests since it
  started (the runs' included; topped up at 100/s with a mix of one changing click in eight,
  `/esc new`, `/esc`, `/esc help`, `/esc list` and App Home), again after --mixed more, and
  its peak (VmHWM); both apps are loaded at the same time in this phase.

Each figure is printed as the median and (min–max) of the runs, Relay, bare and the ratio,
with the box's load average before and after (other work on the box shows in the figures;
measure on a quiet box and on a busy one). A request the app did not answer with 200 is not
timed but counted and printed (Bolt answers 404 to a form it could not ack within 3 s), and
so are Web API calls the simulator refused (an expired trigger_id: a modal opened too late).

By default both databases run: SQLite (a temp file) and PostgreSQL at
postgresql+psycopg://postgres@127.0.0.1:5432/test (a scratch database beside it, dropped
after; skipped with a note if the server cannot be reached); --database-url (repeatable,
`sqlite` means a temp file) picks them instead. Memory is measured on the last database only
unless --memory all. Default durations: 3 runs of 4 s of clicks (200) and 3 s of `/esc new`
(150) per app, and memory readings after 5,000 and 10,000 requests at 100/s. Relay costs
most of the time (its work after each ack is drained before the next phase): on a 2-core box
busy with other work (load average 6-24) a database took about 2.5 minutes without the
memory phase and the memory phase about 4 (Relay falls behind 100/s there), so the default
(memory on PostgreSQL only) took about 9 minutes; a quiet box should take about 5, which is
the aim, but that was not measured. --quick (1 run, 3 s and 2 s, a burst of 20, readings
after 600 and 1,200 requests) is a smoke run of about 1.5 minutes per database.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.db import scratch_database  # noqa: E402
from bench import figures  # noqa: E402
from bench.load import control  # noqa: E402
from bench.servers import BARE_APP, RELAY_APP, Web, gunicorn, procfile_web, simulator  # noqa: E402

SECRET = "bench-signing-secret"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
GUESTS = [f"guest{i:02d}" for i in range(1, 51)]


def load(sim: dict, web: Web, plan: dict, *, rate=50.0, count=0, burst=0) -> dict:
    """One run of bench/load.py against `web`; its JSON results."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        argv = [sys.executable, str(ROOT / "bench" / "load.py"), "--url", web.url]
        argv += ["--control", sim["control_url"], "--secret", SECRET, "--plan", json.dumps(plan)]
        argv += ["--rate", str(rate), "--count", str(count), "--burst", str(burst)]
        subprocess.run([*argv, "--out", out.name], check=True, cwd=ROOT)
        results = json.loads(Path(out.name).read_text())
    web.served += burst or count
    if results["failed"]:
        print(f"  ! {web.name} {plan['kind']}: failed {results['failed']}", flush=True)
    return results


def settle(sim: dict) -> None:
    control(sim["control_url"], "settle", quiet=0.3, timeout=120)


def slowest(results: dict) -> float:
    """The slowest answer of a burst, refused requests included (NaN if none came back)."""
    return max(results["latencies_ms"] + results["failed_ms"], default=math.nan)


def one_run(sim: dict, web: Web, relay: Web, cards: list, opts) -> dict:
    rate = opts.rate
    cpu = web.cpu_seconds()
    clicks = load(sim, web, {"kind": "click", "cards": cards}, rate=rate, count=opts.clicks)
    settle(sim)
    cpu = web.cpu_seconds() - cpu
    command = {"kind": "command", "text": "new Checkout is slow for some users", "users": GUESTS}
    new = load(sim, web, command, rate=rate, count=opts.news)
    settle(sim)
    outage = {**command, "text": "new Checkout outage for all users"}
    commands = load(sim, web, outage, burst=opts.burst)
    settle(sim)
    people = GUESTS[: opts.burst]
    control(sim["control_url"], "connect", url=relay.url)  # Relay opens the forms
    control(sim["control_url"], "modals", users=people, text="new Checkout outage")
    relay.served += len(people)
    settle(sim)
    burst = load(sim, web, {"kind": "submit", "users": people}, burst=len(people))
    settle(sim)
    answered = len(clicks["latencies_ms"])
    return {
        "click_p50": figures.pct(clicks["latencies_ms"], 50),
        "click_p99": figures.pct(clicks["latencies_ms"], 99),
        "click_cpu": cpu / answered * 1000 if answered else math.nan,
        "new_p50": figures.pct(new["latencies_ms"], 50),
        "new_p99": figures.pct(new["latencies_ms"], 99),
        "commands_slowest": slowest(commands),
        "burst_slowest": slowest(burst),
        "burst_failed": len(burst["failed_ms"]),
        "burst_all": burst["elapsed_s"] * 1000,
    }


MIX = [  # the memory phase's requests, in turn: mostly reads, one changing click in eight
    {"kind": "click"},
    {"kind": "command", "text": "new Checkout is slow", "users": GUESTS},
    {"kind": "command", "text": "", "users": GUESTS},
    {"kind": "home", "users": GUESTS},
    {"kind": "command", "text": "help", "users": GUESTS},
    {"kind": "command", "text": "new Refunds are late", "users": GUESTS},
    {"kind": "command", "text": "list", "users": GUESTS},
    {"kind": "home", "users": GUESTS},
]


def memory(sim: dict, webs: tuple[Web, ...], cards: list, opts) -> dict:
    """Each worker's memory once its app has served --mixed requests since it started (the
    runs' included; topped up with MIX), then after --mixed more. The apps are loaded at the
    same time (this phase measures no latency), each by a load generator of its own."""
    kinds = [{**k, "cards": cards} if k["kind"] == "click" else k for k in MIX]
    plan = {"kind": "mixed", "kinds": kinds}
    used = {web.name: {"start": web.memory_mb(), "requests": opts.mixed} for web in webs}

    def top_up(web: Web, target: int) -> None:
        load(sim, web, plan, rate=opts.mixed_rate, count=max(0, target - web.served))

    for reading, target in (("first", opts.mixed), ("second", 2 * opts.mixed)):
        with ThreadPoolExecutor(len(webs)) as pool:
            list(pool.map(lambda web, target=target: top_up(web, target), webs))
        settle(sim)
        for web in webs:
            used[web.name][reading] = web.memory_mb()
    for web in webs:
        used[web.name]["peak"] = web.memory_mb("VmHWM")
    return used


def web_api_failures(sim: dict, when: str) -> None:
    """Say which Web API calls the simulator refused since it was last asked."""
    stats = control(sim["control_url"], "stats")
    seen = sim.setdefault("errors_seen", {})
    new = {k: v - seen.get(k, 0) for k, v in stats["errors"].items() if v > seen.get(k, 0)}
    sim["errors_seen"] = stats["errors"]
    if new:
        print(f"  ! the simulator refused Web API calls {when}: {new}", flush=True)


def bench_database(database_url: str, opts, with_memory: bool) -> tuple[list[dict], dict]:
    argv = procfile_web(0)[1]
    workers = int(argv[argv.index("--workers") + 1])
    begun = time.monotonic()
    with ExitStack() as stack:
        sim = stack.enter_context(simulator(SECRET, opts.latency_ms, len(GUESTS)))
        env = {
            "SLACK_BOT_TOKEN": sim["bot_token"],
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": sim["api_url"],
            "DATABASE_URL": database_url,
            "RELAY_PLAYBOOK": str(ROOT / "playbook.yml"),
            "LOG_FORMAT": "json",  # as in production
            "LOG_LEVEL": "info",
        }
        apps = (("Relay", RELAY_APP), ("bare", BARE_APP))
        relay, bare = stack.enter_context(gunicorn(*apps, env=env, workers=workers))
        control(sim["control_url"], "connect", url=relay.url)
        steps = [time.monotonic() - begun]
        cards = control(sim["control_url"], "cards", n=10)
        steps.append(time.monotonic() - begun - sum(steps))
        relay.served += 20  # a command and a form each
        for web in (relay, bare):  # warm-up: every worker has served each kind once or more
            load(sim, web, {"kind": "click", "cards": cards}, rate=25, count=20)
            load(sim, web, {"kind": "command", "text": "new Warm-up", "users": GUESTS}, count=20)
        settle(sim)
        steps.append(time.monotonic() - begun - sum(steps))
        took = ", ".join(f"{step:.0f}" for step in steps)
        print(f"  set up (apps started, 10 cards, warm-up): {took} s", flush=True)
        runs = []
        for number in range(1, opts.runs + 1):
            order = (relay, bare) if number % 2 else (bare, relay)
            begun = time.monotonic()
            run = {web.name: one_run(sim, web, relay, cards, opts) for web in order}
            took = time.monotonic() - begun
            print(f"  run {number} ({order[0].name} first): {took:.0f} s", flush=True)
            runs.append(run)
        web_api_failures(sim, "in the runs")
        used = {}
        if with_memory:
            begun = time.monotonic()
            used = memory(sim, (relay, bare), cards, opts)
            print(f"  memory: {time.monotonic() - begun:.0f} s", flush=True)
            web_api_failures(sim, "in the memory phase")
    return runs, used


def report(
    database_url: str, opts, runs: list[dict], used: dict, took: float, loadavg: tuple
) -> None:
    dialect = database_url.split(":")[0].split("+")[0]
    print(
        f"\n== web bench, {dialect}: {len(runs)} run(s), median (min–max); {os.cpu_count()} "
        f"cores shared by the simulator, the load generator and both apps; {took:.0f} s; "
        f"load average {loadavg[0]:.1f} before, {loadavg[1]:.1f} after"
    )
    line_env, argv = procfile_web(0)
    settings = [f"{name}={value}" for name, value in line_env.items()]
    print(f"   gunicorn: {' '.join(settings + argv[1:])}")
    for line in figures.table(runs, rate=opts.rate, burst=opts.burst):
        print("   " + line)
    for line in figures.memory_lines(used):
        print("   " + line)
    print(flush=True)


def postgres_reachable(url: str) -> bool:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        return True
    except Exception:  # noqa: BLE001 - any reason: the bench skips it and says so
        return False
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", action="append", help="`sqlite` or a PostgreSQL URL")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rate", type=float, default=50, help="clicks and commands per second")
    parser.add_argument("--click-seconds", type=float, default=4)
    parser.add_argument("--new-seconds", type=float, default=3)
    parser.add_argument("--burst", type=int, default=50, help="forms submitted at once")
    parser.add_argument("--mixed", type=int, default=5000, help="requests before each reading")
    parser.add_argument("--mixed-rate", type=float, default=100)
    parser.add_argument(
        "--memory",
        choices=("last", "all", "none"),
        default="last",
        help="measure memory on the last database benched (default), on each, or not at all",
    )
    parser.add_argument("--latency-ms", type=float, default=0, help="per simulated Web API call")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 1 run, short")
    opts = parser.parse_args(argv)
    if opts.quick:
        opts.runs, opts.click_seconds, opts.new_seconds = 1, 3, 2
        opts.burst, opts.mixed = min(opts.burst, 20), 600
    opts.burst = min(opts.burst, len(GUESTS))
    opts.clicks = int(opts.rate * opts.click_seconds)
    opts.news = int(opts.rate * opts.new_seconds)
    urls = []
    for url in opts.database_url or ["sqlite", POSTGRES]:
        if url == "sqlite" or postgres_reachable(url):
            urls.append(url)
        else:
            print(f"== web bench: skipped {url}: the server cannot be reached", flush=True)
    for n, url in enumerate(urls, start=1):
        with_memory = opts.memory == "all" or (opts.memory == "last" and n == len(urls))
        started, load_before = time.monotonic(), os.getloadavg()[0]
        print(f"== web bench on {url.split('+')[0].split(':')[0]}: starting", flush=True)
        with ExitStack() as stack:
            if url == "sqlite":
                folder = stack.enter_context(tempfile.TemporaryDirectory())
                database_url = f"sqlite:///{folder}/bench.db"
            else:
                database_url = stack.enter_context(scratch_database(url))
            runs, used = bench_database(database_url, opts, with_memory)
        took, load_after = time.monotonic() - started, os.getloadavg()[0]
        report(database_url, opts, runs, used, took, (load_before, load_after))
    return 0


if __name__ == "__main__":
    sys.exit(main())
