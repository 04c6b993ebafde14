"""Ack latency of `/esc new` and of a card button at 50 requests/s, Relay beside a bare Bolt
app that only acks, measured in the same run. Prints figures; asserts nothing.

    .venv/bin/python bench/ack_latency.py [--rate 50] [--seconds 10] [--database-url URL]
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.db import scratch_database  # noqa: E402
from app.drills.workspace import seed_workspace  # noqa: E402
from app.playbook import load_playbook  # noqa: E402
from app.simulator import SlackSimulator  # noqa: E402

SECRET = "bench-signing-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_web(target: str, env: dict) -> tuple[subprocess.Popen, str]:
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(
        [
            str(gunicorn),
            "--worker-class",
            "gthread",
            "--workers",
            "2",
            "--threads",
            "16",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            target,
        ],
        cwd=ROOT,
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/slack/events", timeout=1)
        except urllib.error.HTTPError:
            return proc, base  # any HTTP answer means it is serving
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"{target} did not start")


def peak_rss_mb(pid: int) -> list[float]:
    """VmHWM (peak resident memory) of a process and its children, in MB (Linux)."""
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        pids += [int(c) for c in task.read_text().split()]
    peaks = []
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return peaks


def drive(send, rate: float, seconds: float) -> list[float]:
    """Open-loop load: one request every 1/rate s, each on its own thread."""
    latencies: list[float] = []
    lock = threading.Lock()

    def one():
        try:
            ms = send()
        except Exception as exc:  # noqa: BLE001 - a failed request is reported, not timed
            print(f"request failed: {exc!r}", file=sys.stderr)
            return
        with lock:
            latencies.append(ms)

    with ThreadPoolExecutor(max_workers=64) as pool:
        start = time.perf_counter()
        for n in range(int(rate * seconds)):
            delay = start + n / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one)
    return latencies


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else 0


def measure(sim, ws, base: str, label: str, rate: float, seconds: float, card) -> dict:
    sim.connect(base + "/slack/events")
    agent, support = ws.users["amara.okafor"], ws.channels["support"]
    drive(lambda: sim.slash_command(agent, support, "help").elapsed_ms, rate, 1)  # warm-up
    new = drive(lambda: sim.slash_command(agent, support, "new Bench").elapsed_ms, rate, seconds)
    click = drive(
        lambda: (
            sim.click(
                agent, "ticket_assign", channel_id=card[0], ts=card[1], selected_user=agent
            ).elapsed_ms
        ),
        rate,
        seconds,
    )
    sim.settle(timeout=30)
    return {"label": label, "new": new, "click": click}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    playbook = load_playbook(ROOT / "playbook.yml")
    with ExitStack() as stack:
        if args.database_url:
            database_url = stack.enter_context(scratch_database(args.database_url))
        else:
            database_url = f"sqlite:///{stack.enter_context(tempfile.TemporaryDirectory())}/b.db"
        results = run(args, playbook, database_url)
    report(args, database_url, results)
    return 0


def run(args, playbook, database_url: str) -> list[dict]:
    with SlackSimulator(signing_secret=SECRET) as sim:
        ws = seed_workspace(sim, playbook, {"channels": {"support": {}}})
        env = {
            "SLACK_BOT_TOKEN": sim.bot_token,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": sim.api_url,
            "DATABASE_URL": database_url,
            "RELAY_PLAYBOOK": str(ROOT / "playbook.yml"),
            "LOG_LEVEL": "warning",
        }
        relay, relay_base = start_web("app.bot:create_wsgi()", env)
        bare, bare_base = start_web("bench.bare_app:create_wsgi()", env)
        try:
            sim.connect(relay_base + "/slack/events")
            agent = ws.users["amara.okafor"]
            sim.slash_command(agent, ws.channels["support"], "new Bench card")
            sim.wait_for(lambda: sim.views_of(agent), what="modal")
            sim.submit_view(
                agent,
                {
                    "description": "d",
                    "impact": "i",
                    "team": "payments",
                    "escalation_type": "technical",
                },
            )
            queue = playbook.teams["payments"].queue_channel
            card_ts = sim.wait_for(
                lambda: sim.messages(queue) and sim.messages(queue)[0]["ts"], what="card"
            )
            card = (queue, card_ts)
            results = [
                measure(sim, ws, bare_base, "bare Bolt (ack only)", args.rate, args.seconds, card),
                measure(sim, ws, relay_base, "Relay web", args.rate, args.seconds, card),
            ]
            results[1]["rss"] = peak_rss_mb(relay.pid)
        finally:
            for proc in (relay, bare):
                proc.terminate()
                proc.wait(timeout=10)
    return results


def report(args, database_url: str, results: list[dict]) -> None:
    dialect = database_url.split(":")[0]
    print(
        f"ack latency at {args.rate:g} req/s for {args.seconds:g} s per kind, "
        f"database {dialect}, {os.cpu_count()} cores (load generator and simulator share them)"
    )
    print(f"{'':24} {'n':>5} {'p50 ms':>8} {'p99 ms':>8}")
    for r in results:
        for kind in ("new", "click"):
            v = r[kind]
            print(f"{r['label'] + ' ' + kind:24} {len(v):5d} {pct(v, 50):8.1f} {pct(v, 99):8.1f}")
    bare_r, relay_r = results
    for kind in ("new", "click"):
        ratio50 = pct(relay_r[kind], 50) / pct(bare_r[kind], 50)
        ratio99 = pct(relay_r[kind], 99) / pct(bare_r[kind], 99)
        print(f"ratio Relay/bare {kind}: p50 {ratio50:.2f}x, p99 {ratio99:.2f}x")
    rss = ", ".join(f"{mb:.0f}" for mb in relay_r["rss"])
    print(f"Relay web peak resident memory (gunicorn master, workers): {rss} MB")


if __name__ == "__main__":
    sys.exit(main())
