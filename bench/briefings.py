"""Time from a situation update's submission to the last executive brief DM delivered, in
the `sev1-comms` drill (in-process Relay, the simulator, SQLite); several runs, median and
spread. Prints figures; asserts nothing.

    .venv/bin/python bench/briefings.py [--runs 5]
"""

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.drills.runner import Drill  # noqa: E402
from app.drills.scenario import load_scenario  # noqa: E402
from app.logs import configure_logging  # noqa: E402

BRIEF = "Executive brief: ESC-1 situation update"


class TimedDrill(Drill):
    """The drill, noting the wall time just before the update form is submitted."""

    submitted: float | None = None

    def act(self, step: dict) -> str:
        if "update_status" in (step.get("submit") or {}):
            self.submitted = time.time()
        return super().act(step)


def one_run() -> float:
    drill = TimedDrill(load_scenario("sev1-comms"), str(ROOT / "playbook.yml"), io.StringIO())
    try:
        if drill.run() != 0:
            raise SystemExit("the drill failed; no figure")
        briefs = [o.at for o in drill.sim.observations if BRIEF in str(o.text)]
        return (max(briefs) - drill.submitted) * 1000
    finally:
        drill.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    configure_logging("console", "warning")
    took = [one_run() for _ in range(args.runs)]
    print(f"update submitted -> last brief DM delivered, {args.runs} runs of sev1-comms:")
    print(
        f"  median {statistics.median(took):.0f} ms, min {min(took):.0f} ms, "
        f"max {max(took):.0f} ms ({', '.join(f'{t:.0f}' for t in took)})"
    )


if __name__ == "__main__":
    main()
