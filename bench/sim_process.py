"""The Slack simulator in a process of its own, for the web bench.

    .venv/bin/python bench/sim_process.py --signing-secret S [--latency-ms 0] [--guests 50]

Seeds the playbook's people and queue channels (as drills do), a #support channel everyone is
in and `--guests` extra people (so a burst has one open modal per person), then prints one
JSON line: api_url, bot_token, control_url, users (handle -> id), channels (name -> id), teams
(team -> member ids). It is then told what to do with POSTs of JSON to control_url + NAME:

    connect {url}                   send Slack requests there from now on
    cards {n, team, by}             open n Sev1 tickets through the form, return their cards
    modals {users, text}            each user types `/esc TEXT` (their modal opens)
    plan {kind, n, ...}             n signed-request bodies, built but not sent (see `plan`)
    settle {quiet, timeout}         wait until the app stops calling the Web API
    stats {}                        Web API calls so far, and how many failed

A plan's bodies carry trigger ids and response URLs issued here, so Relay's views.open and
response_url calls made for a request the load generator sends are answered as Slack would.
"""

import argparse
import itertools
import json
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.drills.workspace import seed_workspace  # noqa: E402
from app.playbook import load_playbook  # noqa: E402
from app.simulator import SlackSimulator  # noqa: E402
from app.simulator.blockkit import find_element  # noqa: E402
from app.simulator.gestures import Gestures  # noqa: E402
from app.simulator.inbound import Sender  # noqa: E402
from app.simulator.records import SimResponse  # noqa: E402

SEV1_FORM = {  # the new-ticket modal's fields for a Sev1 (tests/e2e/test_intake.py)
    "description": "Every card payment fails with a 502 since 09:40.",
    "impact": "All users affected in the EU; no checkout possible.",
    "team": "payments",
    "customer": "acme-bank",
    "escalation_type": "technical",
    "severity": "1",
}


class Capture(Sender):
    """A Sender that keeps the signed-request body instead of sending it."""

    def __init__(self, ws) -> None:
        super().__init__(ws, signing_secret="unused")
        self.bodies: list[dict] = []

    def signed(self, body: bytes, content_type: str) -> SimResponse:
        self.bodies.append({"body": body.decode(), "content_type": content_type})
        return SimResponse(0, "", None, 0.0, problem="captured, not sent")


class Bench:
    def __init__(self, sim: SlackSimulator, ws, playbook) -> None:
        self.sim, self.ws, self.playbook = sim, ws, playbook
        self.support = ws.channels["support"]
        self.owners: dict[tuple[str, str], str] = {}  # card -> who the last click assigned
        self.turns: dict[str, int] = {}  # kind -> how many were built: whose turn it is
        self.lock = threading.Lock()

    def cards(self, n: int, team: str = "payments", by: str = "amara.okafor") -> list[dict]:
        sim, user = self.sim, self.ws.users[by]
        queue = self.playbook.teams[team].queue_channel
        before = len(sim.messages(queue))
        for i in range(n):
            sim.slash_command(user, self.support, f"new Checkout outage {i + 1}")
            sim.wait_for(lambda: sim.views_of(user), timeout=10, what="the new-ticket modal")
            answer = sim.submit_view(user, {**SEV1_FORM, "team": team})
            if answer.problem or answer.errors:
                raise RuntimeError(f"the form was refused: {answer.problem or answer.errors}")

        def posted():
            found = [
                m
                for m in sim.messages(queue)
                if find_element(m.get("blocks") or [], "ticket_assign")
            ]
            return found[before:] if len(found) >= before + n else None

        return [{"channel": queue, "ts": m["ts"]} for m in sim.wait_for(posted, 30, "cards")]

    def modals(self, users: list[str], text: str) -> int:
        sim = self.sim

        def one(handle):
            uid = self.ws.users[handle]
            answer = sim.slash_command(uid, self.support, text)
            sim.wait_for(lambda: sim.views_of(uid), timeout=15, what=f"{handle}'s modal")
            return answer.status

        with ThreadPoolExecutor(8) as pool:
            return sum(status == 200 for status in pool.map(one, users))

    def plan(self, kind: str, n: int, **spec) -> list[dict]:
        """n request bodies of one kind ("command", "click", "submit", "home") or of several
        in turn ("mixed": spec["kinds"] is a list of {kind, ...})."""
        capture = Capture(self.sim.ws)
        gestures = Gestures(self.sim.ws, capture, lambda: self.sim.base_url)
        if kind == "mixed":
            kinds = itertools.cycle(spec["kinds"])
            for _ in range(n):
                one = dict(next(kinds))
                self._build(gestures, one.pop("kind"), **one)
        else:
            for _ in range(n):
                self._build(gestures, kind, **spec)
        return capture.bodies

    def _build(self, gestures: Gestures, kind: str, **spec) -> None:
        with self.lock:  # turns through users and cards are shared by concurrent plans
            users = spec.get("users") or ["amara.okafor"]
            turn = self.turns[kind] = self.turns.get(kind, -1) + 1
            handle = users[turn % len(users)]
            if kind == "click":
                card = spec["cards"][turn % len(spec["cards"])]
                clicker, assignee = self._next_assignee(card, spec.get("team", "payments"))
        uid = self.ws.users[handle]
        if kind == "command":
            gestures.slash_command(uid, self.support, spec.get("text", "new Bench"))
        elif kind == "home":
            gestures.open_app_home(uid)
        elif kind == "submit":
            gestures.submit_view(uid, {**SEV1_FORM, **spec.get("values", {})})
        elif kind == "click":
            channel, ts = card["channel"], card["ts"]
            gestures.click(
                clicker, "ticket_assign", channel_id=channel, ts=ts, selected_user=assignee
            )
        else:
            raise ValueError(f"unknown kind {kind!r}")

    def _next_assignee(self, card: dict, team: str) -> tuple[str, str]:
        """Someone on the team other than the card's owner now: every click changes it."""
        members = sorted(self.playbook.team_member_ids(team))
        key = (card["channel"], card["ts"])
        owner = self.owners.get(key)
        if owner is None:
            message = self.sim.message(card["channel"], card["ts"]) or {"blocks": []}
            _, picker = find_element(message["blocks"], "ticket_assign") or ({}, {})
            owner = picker.get("initial_user")
        if owner in members:
            clicker, assignee = owner, members[(members.index(owner) + 1) % len(members)]
        else:
            clicker, assignee = members[-1], members[0]
        self.owners[key] = assignee
        return clicker, assignee

    def stats(self) -> dict:
        calls = self.sim.calls
        failed = [c for c in calls if not c.ok]
        errors: dict[str, int] = {}
        for call in failed:
            errors[f"{call.method}:{call.error}"] = errors.get(f"{call.method}:{call.error}", 0) + 1
        cards = {
            team.queue_channel_name: sum(
                1
                for m in self.sim.messages(team.queue_channel)
                if find_element(m.get("blocks") or [], "ticket_assign")
            )
            for team in self.playbook.teams.values()
        }
        return {"calls": len(calls), "failed": len(failed), "errors": errors, "cards": cards}


def control_server(bench: Bench) -> ThreadingHTTPServer:
    commands = {
        "connect": lambda url: bench.sim.connect(url),
        "cards": bench.cards,
        "modals": bench.modals,
        "plan": lambda **spec: {"requests": bench.plan(**spec)},
        "settle": lambda quiet=0.3, timeout=60: bench.sim.settle(quiet=quiet, timeout=timeout),
        "stats": bench.stats,
    }

    class Control(BaseHTTPRequestHandler):
        def log_message(self, format, *args):  # noqa: A002 (quiet)
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            spec = json.loads(self.rfile.read(length) or b"{}")
            try:
                status, answer = 200, {"ok": True, "result": commands[self.path.strip("/")](**spec)}
            except Exception as exc:  # noqa: BLE001 - told to the orchestrator, which stops
                status, answer = 500, {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Control)
    server.daemon_threads = True
    return server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--signing-secret", required=True)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--guests", type=int, default=50)
    parser.add_argument("--playbook", default=str(ROOT / "playbook.yml"))
    args = parser.parse_args()
    playbook = load_playbook(args.playbook)
    sim = SlackSimulator(args.signing_secret, latency=args.latency_ms / 1000).start()
    guests = {f"guest{i:02d}": {"name": f"Guest {i}"} for i in range(1, args.guests + 1)}
    ws = seed_workspace(sim, playbook, {"guests": guests, "channels": {"support": {}}})
    bench = Bench(sim, ws, playbook)
    server = control_server(bench)
    host, port = server.server_address[:2]
    teams = {key: sorted(playbook.team_member_ids(key)) for key in playbook.teams}
    hello = {
        "api_url": sim.api_url,
        "bot_token": sim.bot_token,
        "control_url": f"http://{host}:{port}/",
        "users": ws.users,
        "channels": ws.channels,
        "teams": teams,
    }
    print(json.dumps(hello), flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
