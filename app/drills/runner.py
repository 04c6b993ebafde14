"""`relay drill SCENARIO`: run a scripted scenario against the built-in Slack simulator on
SQLite, print what each person saw, and exit non-zero when an expectation fails."""

import re
import secrets
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from wsgiref.simple_server import make_server

from sqlalchemy import select

from app import incidents
from app.bot import build_app, wsgi_app
from app.clock import tick
from app.drills.checks import check, check_names
from app.drills.harness import CountingExecutor, QuietHandler, Server
from app.drills.scenario import ROOM_PREFIX, load_scenario, validate_scenario
from app.drills.scorecard import scorecard
from app.drills.steps import perform
from app.drills.timing import START, DrillError, ScenarioClock, offset, parse_start
from app.drills.transcript import observation_line
from app.drills.workspace import seed_workspace
from app.logs import configure_logging
from app.models import Ticket
from app.settings import Settings
from app.simulator import SlackSimulator
from app.simulator.blockkit import elements
from app.startup import build_relay

ROOT = Path(__file__).resolve().parents[2]
MENTION = re.compile(r"(?<![<\w])@([a-z0-9][a-z0-9._-]*[a-z0-9])")


class Drill:
    def __init__(self, scenario: dict, playbook_path: str, out):
        scenario = validate_scenario(scenario)
        self.scenario, self.out = scenario, out
        start = parse_start(scenario["start"]) if scenario.get("start") else START
        self.zone = start.tzinfo
        self.tmp = tempfile.TemporaryDirectory(prefix="relay-drill-")
        secret = secrets.token_hex(16)
        self.sim = SlackSimulator(signing_secret=secret)
        self.sim.start()
        settings = Settings(
            _env_file=None,
            slack_bot_token=self.sim.bot_token,
            slack_signing_secret=secret,
            slack_api_url=self.sim.api_url,
            database_url=f"sqlite:///{self.tmp.name}/drill.db",
            relay_playbook=playbook_path,
        )
        self.relay = build_relay(settings, mode="http")
        self.clock = ScenarioClock(start.astimezone(UTC))
        self.relay.now, self.relay.drill = self.clock, True
        self.executor = CountingExecutor()
        app = build_app(self.relay, settings, signing_secret=secret, executor=self.executor)
        self.server = make_server(
            "127.0.0.1", 0, wsgi_app(app, self.relay), Server, handler_class=QuietHandler
        )
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.sim.connect(f"http://127.0.0.1:{self.server.server_port}/slack/events")
        self.ws = seed_workspace(self.sim, self.relay.playbook, scenario)
        self.last_message: tuple[str, str] | None = None
        self.tick_every = offset(scenario.get("tick_every", "01:00"))
        self.seen = len(self.sim.observations)
        self.when: dict[int, datetime] = {}
        self.failures: list[str] = []
        self.checked = 0
        self.step_at = "step"  # "steps[3]" while a scenario step runs, for errors
        try:
            check_names(self)
        except DrillError:
            self.close()
            raise

    def settle(self) -> None:
        """Wait until Relay's listeners are done and Slack has heard the last of it."""
        while True:
            self.sim.wait_for(lambda: self.executor.busy == 0, timeout=10, what="Relay to finish")
            self.sim.settle(quiet=0.05, timeout=10)
            if self.executor.busy == 0:
                return

    def close(self) -> None:
        self.server.shutdown()
        self.sim.stop()
        self.tmp.cleanup()

    def user(self, ref: str) -> str:
        """A handle, a guest, or a role such as `payments.L1.primary` / `payments.manager`."""
        if ref in self.ws.users:
            return self.ws.users[ref]
        team, _, role = ref.partition(".")
        playbook = self.relay.playbook
        if team in playbook.teams:
            t = playbook.teams[team]
            handle = t.manager if role == "manager" else None
            if role.count(".") == 1:
                tier, which = role.split(".")
                owners = t.tiers.get(tier)
                handle = (
                    getattr(owners, which) if owners and which in ("primary", "secondary") else None
                )
            if handle:
                return sorted(playbook.handles_to_user_ids([handle]))[0]
        raise DrillError(f"unknown actor {ref!r}")

    def channel(self, name: str) -> str:
        if name.startswith(ROOM_PREFIX):
            return self.room(name)
        name = name.lstrip("#")
        if name not in self.ws.channels:
            raise DrillError(f"unknown channel #{name}")
        return self.ws.channels[name]

    def room(self, ref: str, *, required: bool = True) -> str | None:
        """The Slack id of `room:KEY`, the ticket's war room or swarm (once Relay made it)."""
        key = ref.removeprefix(ROOM_PREFIX).upper()
        with self.relay.sessions() as db:
            ticket = db.scalar(select(Ticket).where(Ticket.key == key))
            found = incidents.channel_of(db, ticket) if ticket else None
        if found is None or not found.slack_id:
            if required:
                raise DrillError(f"{key} has no war room or swarm yet")
            return None
        return found.slack_id

    def mentions(self, text: str) -> str:
        """`@handle` as Slack sends a mention in a command's text (`should_escape`)."""
        return MENTION.sub(
            lambda m: f"<@{self.ws.users[m[1]]}|{m[1]}>" if m[1] in self.ws.users else m[0], text
        )

    def card(self, key: str) -> tuple[str, str]:
        with self.relay.sessions() as db:
            ticket = db.scalar(select(Ticket).where(Ticket.key == key))
        if ticket is None or not ticket.card_ts:
            raise DrillError(f"{key} has no card yet")
        return ticket.card_channel, ticket.card_ts

    def dm_with(self, user_id: str, action: str) -> tuple[str, str, str]:
        """The newest DM from Relay to `user_id` that carries the button `action`, and that
        button as `block_id.action_id` (in a digest of several DMs, the newest one's)."""
        channel = self.sim.dm_channel(user_id)
        for message in reversed(self.sim.messages(channel or "")):
            blocks = [b for b, e in elements(message.get("blocks")) if e["action_id"] == action]
            if blocks:
                return channel, message["ts"], f"{blocks[-1]['block_id']}.{action}"
        raise DrillError(f"{self.name(user_id)} has no DM with a {action} button")

    def name(self, user_id: str) -> str:
        return self.ws.names.get(user_id, user_id)

    def act(self, step: dict) -> str:
        """Perform one step; returns how the transcript describes it."""
        return perform(self, step)

    def observe(self, line: str) -> list:
        """Print `line` and what everyone saw since the last call, at scenario time."""
        self.settle()
        new = self.sim.observations[self.seen :]
        self.seen += len(new)
        for obs in new:
            self.when[obs.seq] = self.clock()
            if obs.kind in ("channel_created", "channel_renamed") and obs.text:
                self.ws.names[obs.channel] = obs.text.split(" → ")[-1]
        if new or line:
            self.out.write(f"[{self.stamp()}] {line or 'Time passes.'}\n")
        shown = None
        for obs in new:
            text = observation_line(obs, self.ws.names).replace("\n", "\n          ")
            if obs.kind.startswith("view_") and text == shown:
                continue  # the same modal again, with nothing changed a person could see
            shown = text
            self.out.write(f"        · {text}\n")
        return new

    def stamp(self) -> str:
        """Scenario time in the drill's zone; the day is named once the drill leaves day one."""
        now = self.clock().astimezone(self.zone)
        first = self.clock.start.astimezone(self.zone).date()
        return f"{now:%H:%M:%S}" if now.date() == first else f"{now:%a %d %b %H:%M:%S}"

    def advance(self, until: timedelta) -> list:
        """Run the real clock tick every `tick_every` of scenario time up to `until`."""
        new = []
        while self.clock.offset + self.tick_every < until:
            self.clock.offset += self.tick_every
            tick(self.relay)
            new += self.observe("")
        self.clock.offset = until
        tick(self.relay)
        return new

    def run(self) -> int:
        s = self.scenario
        self.out.write(f"Drill {s['name']}: {s.get('title', '')}\n")
        start = self.clock.start.astimezone(self.zone)
        self.out.write(
            f"Starts {start:%a %d %b %Y %H:%M %Z}; times below are scenario time, {start:%Z}.\n\n"
        )
        everything = []
        for i, step in enumerate(s["steps"]):
            before = self.advance(offset(step.get("at", "0:00")))
            self.step_at = f"steps[{i}]"
            try:
                line = self.act(step)
            except LookupError as exc:  # the simulator: no such modal, message or button
                raise DrillError(f"{self.step_at}: {exc}") from None
            except DrillError as exc:  # no card yet, no such DM: say which step
                if str(exc).startswith(self.step_at):
                    raise
                raise DrillError(f"{self.step_at}: {exc}") from None
            new = before + self.observe(line)
            everything += new
            check(self, step.get("expect"), new)
        if s.get("expect"):
            self.out.write("\nWhole drill:\n")
            check(self, s["expect"], everything)
        with self.relay.sessions() as db:
            card = scorecard(db, self.relay.playbook)
        if card:
            self.out.write("\nScorecard (times against targets):\n")
            self.out.write("".join(f"  {line}\n" for line in card))
        met = self.checked - len(self.failures)
        self.out.write(f"\n{met}/{self.checked} expectations met.\n")
        return 1 if self.failures else 0


def run_drill(name: str, *, playbook: str | None = None, out) -> int:
    configure_logging("console", "warning")
    try:
        scenario = load_scenario(name)
        drill = Drill(scenario, playbook or str(ROOT / "playbook.yml"), out)
    except DrillError as exc:
        out.write(f"relay drill: {exc}\n")
        return 2
    try:
        return drill.run()
    except DrillError as exc:
        out.write(f"relay drill: scenario error: {exc}\n")
        return 2
    finally:
        drill.close()
