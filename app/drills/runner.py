"""`relay drill SCENARIO`: run a scripted scenario against the built-in Slack simulator on
SQLite, print what each person saw, and exit non-zero when an expectation fails."""

import secrets
import tempfile
import threading
from datetime import datetime, timedelta
from pathlib import Path
from wsgiref.simple_server import make_server

from sqlalchemy import select

from app.bot import build_app, build_relay, wsgi_app
from app.clock import tick
from app.drills.harness import CountingExecutor, QuietHandler, Server
from app.drills.scenario import START, DrillError, ScenarioClock, load_scenario, offset
from app.drills.transcript import observation_line, readable
from app.drills.workspace import seed_workspace
from app.logs import configure_logging
from app.models import Ticket
from app.settings import Settings
from app.simulator import SlackSimulator

ROOT = Path(__file__).resolve().parents[2]
CHANNEL_KINDS = ("message", "message_updated")


class Drill:
    def __init__(self, scenario: dict, playbook_path: str, out):
        self.scenario, self.out = scenario, out
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
        self.clock = ScenarioClock()
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
                handle = getattr(t.tiers[tier], which)
            if handle:
                return sorted(playbook.handles_to_user_ids([handle]))[0]
        raise DrillError(f"unknown actor {ref!r}")

    def channel(self, name: str) -> str:
        name = name.lstrip("#")
        if name not in self.ws.channels:
            raise DrillError(f"unknown channel #{name}")
        return self.ws.channels[name]

    def card(self, key: str) -> tuple[str, str]:
        with self.relay.sessions() as db:
            ticket = db.scalar(select(Ticket).where(Ticket.key == key))
        if ticket is None or not ticket.card_ts:
            raise DrillError(f"{key} has no card yet")
        return ticket.card_channel, ticket.card_ts

    def dm_with(self, user_id: str, action: str) -> tuple[str, str]:
        """The newest DM from Relay to `user_id` that carries the button `action`."""
        channel = self.sim.dm_channel(user_id)
        found = [m for m in self.sim.messages(channel or "") if action in str(m.get("blocks"))]
        if not found:
            raise DrillError(f"{self.name(user_id)} has no DM with a {action} button")
        return channel, found[-1]["ts"]

    def name(self, user_id: str) -> str:
        return self.ws.names.get(user_id, user_id)

    def act(self, step: dict) -> str:
        """Perform one step; returns how the transcript describes it."""
        actor = self.user(step["actor"]) if "actor" in step else None
        who = self.name(actor) if actor else "Nobody"
        if "post" in step:
            post = step["post"]
            channel = self.channel(post["channel"])
            ts = self.sim.post_as_user(actor, channel, post["text"])
            self.last_message = (channel, ts)
            return f"{who} posts in #{post['channel'].lstrip('#')}: “{post['text']}”"
        if "command" in step:
            channel = self.channel(step.get("channel", self.scenario.get("home_channel", "")))
            command, _, text = step["command"].partition(" ")
            answer = self.sim.slash_command(actor, channel, text, command=command)
            return f"{who} types `{step['command']}` in #{self.name(channel)} ({answer.status})"
        if "shortcut" in step:
            callback = step["shortcut"]
            if callback == "escalate_message":
                channel, ts = self.last_message
                self.sim.message_shortcut(actor, channel, ts, callback)
                return f"{who} uses “Escalate this message” on the last message"
            self.sim.global_shortcut(actor, callback)
            return f"{who} uses the shortcut {callback}"
        if "submit" in step:
            answer = self.sim.submit_view(actor, step["submit"])
            shown = ", ".join(f"{k}={v}" for k, v in step["submit"].items())
            if answer.errors:
                errors = "; ".join(f"{k}: {v}" for k, v in answer.errors.items())
                return f"{who} submits the modal ({shown}) and sees errors: {errors}"
            return f"{who} submits the modal ({shown})"
        if "click" in step:
            click = step["click"]
            if click.get("in_dm"):
                channel, ts = self.dm_with(actor, click["action"])
                self.sim.click(actor, click["action"], channel_id=channel, ts=ts)
                return f"{who} clicks {click['action']} in their DM from Relay"
            channel, ts = self.card(click["card"])
            selected = self.user(click["user"]) if "user" in click else None
            self.sim.click(
                actor, click["action"], channel_id=channel, ts=ts, selected_user=selected
            )
            extra = f" → {self.name(selected)}" if selected else ""
            return f"{who} clicks {click['action']}{extra} on the card of {click['card']}"
        if step.get("open_home"):
            self.sim.open_app_home(actor)
            return f"{who} opens Relay's App Home"
        if "actor" in step:
            raise DrillError(f"step has nothing to do: {step}")
        return "Time passes."

    def broadcast_pings(self) -> list:
        """Pings Relay caused for @channel, @here, @everyone or a user group."""
        broadcast = ("channel", "here", "everyone")
        return [
            p
            for p in self.sim.pings
            if p.by == self.sim.bot_user_id and (p.target in broadcast or p.target[0] == "S")
        ]

    def matching(self, expect: dict, observations) -> list:
        target = expect["seen_by"]
        if target.startswith("#"):
            channel = self.channel(target)
            seen = [o for o in observations if o.channel == channel and o.kind in CHANNEL_KINDS]
        else:
            user = self.user(target)
            visible = {o.seq for o in self.sim.seen_by(user)}
            seen = [o for o in observations if o.seq in visible]
        if "kind" in expect:
            seen = [o for o in seen if o.kind == expect["kind"]]
        if "by" in expect:
            latest = START + offset(expect["by"])
            seen = [o for o in seen if self.when[o.seq] <= latest]
        if "contains" in expect:
            needle = str(expect["contains"]).casefold()
            seen = [
                o
                for o in seen
                if needle in readable(o.text, o.view or o.blocks, self.ws.names).casefold()
            ]
        return seen

    def check(self, expectations: list[dict], observations) -> None:
        for expect in expectations or []:
            self.checked += 1
            if "pings" in expect:
                found, wanted = len(self.broadcast_pings()), expect["pings"]
            else:
                found, wanted = len(self.matching(expect, observations)), expect.get("count")
            ok = found == wanted if wanted is not None else found >= 1
            label = expect.get("say") or ", ".join(f"{k}={v}" for k, v in expect.items())
            mark = "✓" if ok else "✗"
            detail = "" if ok else f" (found {found}, wanted {wanted or 'at least 1'})"
            self.out.write(f"        {mark} {label}{detail}\n")
            if not ok:
                self.failures.append(label + detail)

    def observe(self, line: str) -> list:
        """Print `line` and what everyone saw since the last call, at scenario time."""
        self.settle()
        new = self.sim.observations[self.seen :]
        self.seen += len(new)
        for obs in new:
            self.when[obs.seq] = self.clock()
        if new or line:
            self.out.write(f"[{self.clock():%H:%M:%S}] {line}\n")
        for obs in new:
            self.out.write(f"        · {observation_line(obs, self.ws.names)}\n")
        return new

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
        self.out.write(
            f"Scenario start {START:%a %Y-%m-%d %H:%M} UTC; times are scenario time.\n\n"
        )
        everything = []
        for step in s["steps"]:
            before = self.advance(offset(step.get("at", "0:00")))
            line = self.act(step)
            new = before + self.observe(line)
            everything += new
            self.check(step.get("expect"), new)
        if s.get("expect"):
            self.out.write("\nWhole drill:\n")
            self.check(s["expect"], everything)
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
