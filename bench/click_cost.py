"""What one changing click costs Relay, in counts that do not drift with the box's load:
statements, transactions and Python function calls per card click that gives a ticket to
someone else, for the change (lock, domain, timers, outbox rows, commit) and for its
delivery (the card update and the thread notice, sent to the Slack simulator), on SQLite
and PostgreSQL; and the CPU time of the same work (median and spread of --runs, which do
drift). In one process and one thread (delivery too), the simulator's threads not counted.
Prints figures; asserts nothing. The timing benches (bench/web.py) measure what a person
feels; this one tells whether a change made a click cheaper when the box is too noisy to.

    .venv/bin/python bench/click_cost.py [--clicks 200] [--runs 3] [--pg URL]
"""

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from contextlib import ExitStack
from functools import partial
from pathlib import Path

from sqlalchemy import event

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import changes, tickets  # noqa: E402
from app import db as relay_db  # noqa: E402
from app.drills.workspace import seed_workspace  # noqa: E402
from app.playbook import load_playbook  # noqa: E402
from app.runtime import Relay  # noqa: E402
from app.simulator import SlackSimulator  # noqa: E402
from bench.clock_tick import Statements  # noqa: E402
from bench.delivery import client_for, databases, quiet  # noqa: E402

CARDS = 10
TEAM = "payments"


class Counts(Statements):
    """Statements, and transactions (commits and rollbacks), an engine runs while `counting`."""

    def __init__(self, engine) -> None:
        super().__init__(engine)
        self.transactions = 0
        event.listen(engine, "commit", self._transaction)
        event.listen(engine, "rollback", self._transaction)

    def _transaction(self, *_args) -> None:
        self.transactions += self.counting


class Held:
    """A courier that keeps what it is handed, so that delivery is measured on its own."""

    def __init__(self) -> None:
        self.tickets: list[int] = []

    def hand(self, ticket_id: int) -> None:
        self.tickets.append(ticket_id)


def measure(url: str, sim: SlackSimulator, playbook, args) -> list[str]:
    engine = relay_db.make_engine(url)
    client = client_for({"bot_token": sim.bot_token, "api_url": sim.api_url})
    relay = Relay(playbook, relay_db.make_sessionmaker(engine), client, delivery_threads=1)
    team = playbook.teams[TEAM]
    reporter = playbook.user_id(team.tiers["L1"].primary)
    owners = [p.slack_id for p in playbook.people.values() if playbook.may_act(p.slack_id, TEAM)]
    intake = tickets.Intake(
        reporter_id=reporter,
        title="Checkout outage",
        description="Payments fail with 502",
        impact="All users affected in EU",
        team=TEAM,
        escalation_type=next(iter(playbook.escalation_types)),
    )
    keys = [
        changes.open_ticket(relay, tickets.check_intake(playbook, intake)).ticket.key
        for _ in range(CARDS)
    ]
    held = Held()
    relay.courier = held
    counts = Counts(engine)
    parts = ("change", "delivery")
    profiles = {name: cProfile.Profile() for name in parts}
    counted = {name: [0, 0] for name in parts}  # statements, transactions
    cpu = {name: [] for name in parts}

    def part(name: str, work, how: str) -> float:
        """Run `work` as the click's `name` part; its thread CPU seconds."""
        if how == "count":
            counts.transactions = 0
            counts.during(partial(profiles[name].runcall, work))
            counted[name][0] += counts.count
            counted[name][1] += counts.transactions
            return 0.0
        start = time.thread_time()
        work()
        return time.thread_time() - start

    def clicks(how: str) -> None:
        """Each click gives its card to someone other than its owner, then is delivered (as
        the courier would with no other click meanwhile). `how`: "warm" (caches, prepared
        statements), "count" or "time"."""
        spent = dict.fromkeys(parts, 0.0)
        for n in range(CARDS * 2 if how == "warm" else args.clicks):
            to = owners[(n // CARDS) % 2 + 1]
            assign = partial(changes.assign, relay, keys[n % CARDS], by=reporter, to=to)
            spent["change"] += part("change", assign, how)
            spent["delivery"] += part("delivery", delivery, how)
        if how == "time":
            for name in parts:
                cpu[name].append(spent[name] * 1000 / args.clicks)

    def delivery() -> None:
        relay.deliver(("ticket", held.tickets.pop()))

    for how in ("warm", "count", *["time"] * args.runs):
        clicks(how)
    engine.dispose()
    lines = []
    for name in parts:
        calls = sum(stat[1] for stat in pstats.Stats(profiles[name]).stats.values())
        statements, transactions = (count / args.clicks for count in counted[name])
        lines.append(
            f"{name:9} {statements:10.1f} {transactions:12.1f} {calls / args.clicks:12.0f} "
            f"{statistics.median(cpu[name]):9.2f} {min(cpu[name]):6.2f}-{max(cpu[name]):<6.2f}"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clicks", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    quiet()
    print(
        f"cost of one changing click (assign), {args.clicks} clicks over {CARDS} cards, one "
        f"thread; per click: counts, and CPU ms as median and min-max of {args.runs} runs"
    )
    print(
        f"{'database':10} {'part':9} {'statements':>10} {'transactions':>12} "
        f"{'python calls':>12} {'CPU ms':>9} {'spread':^13}"
    )
    with ExitStack() as stack:
        playbook = load_playbook(ROOT / "playbook.yml")
        sim = stack.enter_context(SlackSimulator(signing_secret="bench"))
        seed_workspace(sim, playbook)
        for name, url in databases(stack, args.pg).items():
            for line in measure(url, sim, playbook, args):
                print(f"{name:10} {line}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
