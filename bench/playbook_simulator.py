"""The Slack simulator in a process of its own, seeded with the playbook's people and queue
channels (as the drills seed it), for benches that run Relay's clock against it. Prints
`api_url=` and `bot_token=` like `python -m app.simulator`, then serves until killed.

    .venv/bin/python bench/playbook_simulator.py [--latency-ms 100] [--rate-limits]
"""

import argparse
import inspect
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.drills.workspace import seed_workspace  # noqa: E402
from app.playbook import load_playbook  # noqa: E402
from app.simulator import SlackSimulator  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency-ms", type=float, default=100)
    parser.add_argument("--rate-limits", action="store_true")
    args = parser.parse_args()
    options = {"latency": args.latency_ms / 1000}
    if args.rate_limits and "rate_limits" in inspect.signature(SlackSimulator).parameters:
        options["rate_limits"] = True
    sim = SlackSimulator(**options).start()
    seed_workspace(sim, load_playbook(ROOT / "playbook.yml"))
    print(f"api_url={sim.api_url}\nbot_token={sim.bot_token}", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    sys.exit(main())
