"""The web bench's load generator, a process of its own: signed Slack requests, open loop.

    .venv/bin/python bench/load.py --url URL --control SIM_CONTROL_URL --secret S \\
        --plan '{"kind": "click", "cards": [...]}' --rate 50 --count 500 --out FILE
    ... --burst 50   (all at once instead: each on its own thread, released together)

The request bodies come from the simulator process (`plan`, with trigger ids and response
URLs it issued), fetched just ahead in small batches; this process signs each one when it is
due (app.simulator.inbound's Sender, fresh timestamp) and sends it. Open loop: request i is
due at start + i/rate whether or not earlier ones were answered, and its latency is counted
from when it was due, so a late generator or a slow app both show. Writes JSON to --out:
latencies_ms (answered with 200), failed (other status, no answer, refused connection) with
reasons, failed_ms (how long those took), and behind_ms (how late the generator itself
started its latest request).
"""

import argparse
import json
import queue
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.simulator.inbound import Sender  # noqa: E402
from app.simulator.state import Workspace  # noqa: E402


def control(address: str, command: str, **spec):
    """Tell the simulator process (bench/sim_process.py) to do something; its answer."""
    request = urllib.request.Request(
        address + command,
        data=json.dumps(spec).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=300) as reply:
            answer = json.loads(reply.read())
    except urllib.error.HTTPError as exc:  # the simulator process says what went wrong
        answer = json.loads(exc.read())
    if not answer["ok"]:
        raise RuntimeError(f"simulator {command}: {answer['error']}")
    return answer["result"]


class Results:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.failed: dict[str, int] = {}
        self.failed_ms: list[float] = []  # how long each refused request took to be refused
        self.behind = 0.0

    def send(self, sender: Sender, request: dict, due: float) -> None:
        started = time.perf_counter()
        try:
            answer = sender.signed(request["body"].encode(), request["content_type"])
            problem = None
            if answer.status != 200:
                problem = f"HTTP {answer.status} {answer.problem or answer.body[:60]}".strip()
        except ConnectionError as exc:
            problem = type(exc.__cause__ or exc).__name__
        took = (time.perf_counter() - due) * 1000
        with self.lock:
            self.behind = max(self.behind, (started - due) * 1000)
            if problem:
                self.failed[problem] = self.failed.get(problem, 0) + 1
                self.failed_ms.append(took)
            else:
                self.latencies.append(took)

    def as_json(self, elapsed: float) -> dict:
        return {
            "latencies_ms": self.latencies,
            "failed": self.failed,
            "failed_ms": self.failed_ms,
            "behind_ms": self.behind,
            "elapsed_s": elapsed,
        }


def open_loop(sender, args, plan: dict, results: Results) -> float:
    """Bodies are fetched a fifth of a second's worth at a time, at most two batches ahead of
    use, so the trigger ids in them are fresh (Slack's expire after 3 s)."""
    batches: queue.Queue = queue.Queue()
    wanted = threading.Semaphore(2)
    size = max(1, int(args.rate / 5))

    def fetch():
        left = args.count
        while left > 0:
            wanted.acquire()
            requests = control(args.control, "plan", **{**plan, "n": min(size, left)})["requests"]
            left -= len(requests)
            batches.put(requests)

    threading.Thread(target=fetch, daemon=True).start()
    pending: list[dict] = batches.get(timeout=120)
    wanted.release()
    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        start = time.perf_counter()
        for i in range(args.count):
            if not pending:
                pending = batches.get(timeout=120)
                wanted.release()
            due = start + i / args.rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(results.send, sender, pending.pop(0), due)
    return time.perf_counter() - start


def burst(sender, args, plan: dict, results: Results) -> float:
    requests = control(args.control, "plan", **{**plan, "n": args.burst})["requests"]
    gate = threading.Barrier(len(requests) + 1)
    released: list[float] = []

    def one(request):
        gate.wait()
        results.send(sender, request, released[0])

    threads = [threading.Thread(target=one, args=(r,)) for r in requests]
    for thread in threads:
        thread.start()
    released.append(time.perf_counter())
    gate.wait()
    for thread in threads:
        thread.join()
    return time.perf_counter() - released[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="the app's request URL")
    parser.add_argument("--control", required=True, help="the simulator process's control URL")
    parser.add_argument("--secret", required=True, help="the app's signing secret")
    parser.add_argument("--plan", required=True, help="JSON: what to send (see sim_process)")
    parser.add_argument("--rate", type=float, default=50, help="requests per second")
    parser.add_argument("--count", type=int, default=500, help="how many requests")
    parser.add_argument("--burst", type=int, default=0, help="send this many at once instead")
    parser.add_argument("--threads", type=int, default=256, help="most requests in flight")
    parser.add_argument("--out", required=True, help="where the JSON results go")
    args = parser.parse_args()
    sender = Sender(Workspace(), args.secret, timeout=30)
    sender.request_url = args.url
    results = Results()
    plan = json.loads(args.plan)
    run = burst if args.burst else open_loop
    elapsed = run(sender, args, plan, results)
    Path(args.out).write_text(json.dumps(results.as_json(elapsed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
