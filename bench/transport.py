"""What one Web API call costs the caller's thread: slack_sdk's own WebClient (a connection
opened and closed per call) beside Relay's client (app/effects/transport.py, kept-alive
connections), over plain HTTP as the simulator is usually run and over HTTPS as Slack
serves it. Thread CPU and wall time per chat.postMessage (median and min-max of --runs,
the two clients in turn), and the connections the simulator accepted per 100 calls. The
simulator runs in this process; its threads are not counted. Prints figures; asserts
nothing.

    .venv/bin/python bench/transport.py [--calls 300] [--runs 3]
"""

import argparse
import ssl
import statistics
import sys
import time
from pathlib import Path

import trustme
from slack_sdk import WebClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.effects.transport import KeptAliveClient  # noqa: E402
from app.simulator import SlackSimulator  # noqa: E402


def measure(sim: SlackSimulator, cls, trust: ssl.SSLContext | None, calls: int):
    client = cls(token=sim.bot_token, base_url=sim.api_url, retry_handlers=[], ssl=trust)
    args = {"channel": sim.add_channel(f"bench-{time.monotonic_ns()}"), "text": "a notice"}
    for _ in range(20):  # warm: imports, the first connection
        client.api_call("chat.postMessage", json=args)
    connections = sim.ws.connections
    cpu, wall = time.thread_time(), time.perf_counter()
    for _ in range(calls):
        client.api_call("chat.postMessage", json=args)
    cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
    return cpu / calls * 1e6, wall / calls * 1e6, (sim.ws.connections - connections) * 100 / calls


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    authority = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server)
    trusting = ssl.create_default_context()
    authority.configure_trust(trusting)
    print(
        f"one chat.postMessage to the simulator, {args.calls} calls a run; caller's thread CPU "
        f"and wall, median and min-max of {args.runs} runs"
    )
    print(f"{'':6} {'client':16} {'CPU us':>7} {'spread':^13} {'wall us':>8} {'conns/100':>9}")
    for scheme, tls, trust in (("http", None, None), ("https", server, trusting)):
        with SlackSimulator(tls=tls) as sim:
            seen = {cls: [] for cls in (WebClient, KeptAliveClient)}
            for _ in range(args.runs):
                for cls, figures in seen.items():
                    figures.append(measure(sim, cls, trust, args.calls))
            for cls, figures in seen.items():
                cpu, wall, conns = (statistics.median(f[i] for f in figures) for i in range(3))
                low, high = min(f[0] for f in figures), max(f[0] for f in figures)
                print(
                    f"{scheme:6} {cls.__name__:16} {cpu:7.0f} {low:6.0f}-{high:<6.0f} "
                    f"{wall:8.0f} {conns:9.1f}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
