"""`relay try`: click through Relay without a Slack workspace.

Relay's web app runs in-process against the Slack simulator on a throw-away SQLite database,
with the playbook's people and channels (the drill runner's pieces). You type what a person
does; after each step it prints what everyone saw. Reads lines from stdin when it is not a
terminal, so a script can be piped in."""

import re
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from app.drills.runner import Drill
from app.drills.scenario import DrillError
from app.drills.transcript import readable
from app.logs import configure_logging
from app.models import Ticket
from app.simulator.blockkit import elements

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = {
    "name": "try",
    "channels": {"support": {"members": ["everyone"]}},
    "home_channel": "support",
    "tick_every": "01:00",
    "steps": [],
}
FIELD = re.compile(r"([\w.]+)=(.*?)(?=\s+[\w.]+=|$)")
DURATION = re.compile(r"(\d+)\s*([dhms])")
HELP = """\
  people                  who you can be; `as HANDLE` to be one of them (e.g. as priya.shah)
  channel [#name]         the channel your slash commands run in (default #support); alone: list;
                          `channel room:ESC-1` is the ticket's war room or swarm
  post We found it        a message from you in your channel
  react pushpin           react to the last message posted (:pushpin: in a war room captures it)
  /esc new Checkout down  any /esc command, as you, in your channel (/esc help lists them)
  form                    the open modal's fields and their options
  fill title=... team=payments
                          fill fields of the open modal (values run to the next name=)
  submit [name=value ...] submit the open modal with what you filled
  buttons                 what you can click: card buttons by ticket, and buttons in your DMs
  click ticket_ack ESC-1  click a card button (ticket_assign ESC-1 priya.shah picks a person);
                          without a key: the newest button of that kind in your DMs
  home                    open Relay's App Home
  wait 30m                let time pass (d, h, m, s); the clock ticks every scenario minute
  help, quit"""


class Problem(Exception):
    """Something the person typed that cannot be done; shown as one line."""


class Playground:
    def __init__(self, out, playbook: str | None = None):
        self.out = out
        self.drill = Drill(SCENARIO, playbook or str(ROOT / "playbook.yml"), out)
        people = self.drill.relay.playbook.people
        self.me = "amara.okafor" if "amara.okafor" in people else next(iter(people))
        self.where = "support"
        self.filled: dict[str, str] = {}

    def close(self) -> None:
        self.drill.close()

    # -- the loop -------------------------------------------------------------------------------

    def run(self, lines, *, echo: bool) -> int:
        self.say(
            "Relay, with a simulated Slack workspace from the playbook and a throw-away database.\n"
            f"You are {self.name()} ({self.me}) in #{self.where}. Type `help` for what you can do."
        )
        for raw in lines:
            line = raw.strip()
            if echo:  # a piped script reads as a transcript
                self.say(f"> {line}")
            if line in ("quit", "exit"):
                break
            if line and not line.startswith("#"):
                self.step(line)
        return 0

    def step(self, line: str) -> None:
        command, _, rest = line.partition(" ")
        handler = COMMANDS.get(command) or (do_slash if command.startswith("/") else None)
        if handler is None:
            self.say(f"  ! unknown command {command!r}; type `help` for the list")
            return
        try:
            handler(self, rest.strip(), line)
        except (Problem, DrillError, LookupError, PermissionError, ValueError) as exc:
            self.say(f"  ! {exc.args[0] if exc.args else exc}")
        except Exception as exc:  # a newcomer's session goes on; the log has the rest
            self.say(f"  ! that did not work: {type(exc).__name__}: {exc}")

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    # -- lookups --------------------------------------------------------------------------------

    def name(self, handle: str | None = None) -> str:
        return self.drill.name(self.drill.ws.users[handle or self.me])

    def user_id(self) -> str:
        return self.drill.ws.users[self.me]

    def modal(self) -> dict:
        views = self.drill.sim.views_of(self.user_id())
        if not views:
            raise Problem(f"{self.name()} has no open modal (`/esc new TITLE` opens one)")
        return views[-1]

    def cards(self) -> list[tuple[str, str, str]]:
        with self.drill.relay.sessions() as db:
            found = db.execute(select(Ticket.key, Ticket.card_channel, Ticket.card_ts)).all()
        return [(key, channel, ts) for key, channel, ts in found if ts]

    def act(self, step: dict) -> None:
        self.drill.observe(self.drill.act({"actor": self.me, **step}))


def label(element: dict) -> str:
    return readable(None, element.get("text") or element.get("placeholder"), {}) or "?"


def do_help(pg: Playground, rest: str, line: str) -> None:
    pg.say(HELP)


def do_people(pg: Playground, rest: str, line: str) -> None:
    for handle, person in pg.drill.relay.playbook.people.items():
        mark = "*" if handle == pg.me else " "
        pg.say(f" {mark} {handle:<20} {person.name}")


def do_as(pg: Playground, rest: str, line: str) -> None:
    if rest not in pg.drill.ws.users:
        raise Problem(f"nobody called {rest!r}; `people` lists who you can be")
    pg.me, pg.filled = rest, {}
    pg.say(f"  You are {pg.name()} ({rest}).")


def do_channel(pg: Playground, rest: str, line: str) -> None:
    if not rest:
        for name in pg.drill.ws.channels:
            pg.say(f" {'*' if name == pg.where else ' '} #{name}")
        return
    channel = pg.drill.channel(rest)  # an unknown channel is one line
    pg.where = rest.lstrip("#")
    pg.say(f"  Your commands now run in #{pg.drill.name(channel)}.")


def do_slash(pg: Playground, rest: str, line: str) -> None:
    pg.act({"command": line, "channel": pg.where})


def do_form(pg: Playground, rest: str, line: str) -> None:
    view = pg.modal()
    pg.say(f"  Modal “{readable(None, view.get('title'), {})}” — fill these (name=value):")
    for block, element in elements(view["blocks"]):
        if block.get("type") != "input":
            continue
        key = element["action_id"]
        kind = element.get("type", "")
        options = [o.get("value") for o in element.get("options") or []]
        for group in element.get("option_groups") or []:
            options += [o.get("value") for o in group.get("options") or []]
        what = " | ".join(options) if options else ("a handle" if "user" in kind else "text")
        optional = ", optional" if block.get("optional") else ""
        now = f"  = {pg.filled[key]}" if key in pg.filled else ""
        pg.say(f"    {key:<20} {readable(None, block.get('label'), {})}{optional}: {what}{now}")


def do_fill(pg: Playground, rest: str, line: str) -> None:
    view = pg.modal()
    pairs = FIELD.findall(rest)
    if not pairs:
        raise Problem("write `fill name=value ...`; `form` lists the names")
    keys = {element["action_id"] for _, element in elements(view["blocks"])}
    for key, value in pairs:
        if key not in keys:
            raise Problem(f"the modal has no field {key!r}; `form` lists them")
        pg.filled[key] = value.strip().strip("\"'")
    pg.say("  Filled: " + ", ".join(f"{k}={v}" for k, v in pg.filled.items()))


def do_submit(pg: Playground, rest: str, line: str) -> None:
    if rest:
        do_fill(pg, rest, line)
    view = pg.modal()
    values = dict(pg.filled)
    for _, element in elements(view["blocks"]):
        key = element["action_id"]
        if "user" in element.get("type", "") and values.get(key) in pg.drill.ws.users:
            values[key] = pg.drill.ws.users[values[key]]
    pg.act({"submit": values})
    still = pg.drill.sim.views_of(pg.user_id())
    if still and still[-1]["id"] == view["id"]:  # errors: Slack keeps what was typed
        pg.say("  The modal is still open with your values: fix them with `fill`, then `submit`.")
    else:
        pg.filled = {}


def do_buttons(pg: Playground, rest: str, line: str) -> None:
    found = []
    for key, channel, ts in pg.cards():
        message = pg.drill.sim.message(channel, ts) or {}
        where = pg.drill.name(channel)
        for _, element in elements(message.get("blocks")):
            what = f"click {element['action_id']} {key}"
            found.append(f"{what:<30} {label(element)} (card in #{where})")
    dm = pg.drill.sim.dm_channel(pg.user_id())
    for message in pg.drill.sim.messages(dm) if dm else []:
        for _, element in elements(message.get("blocks")):
            what = f"click {element['action_id']}"
            found.append(f"{what:<30} {label(element)} (your DM from Relay)")
    pg.say("\n".join(f"  {f}" for f in found) or "  Nothing to click yet: open a ticket first.")


def do_post(pg: Playground, rest: str, line: str) -> None:
    if not rest:
        raise Problem("write what to say, e.g. `post The deploy at 10:02 broke checkout`")
    pg.act({"post": {"channel": pg.where, "text": rest}})


def do_react(pg: Playground, rest: str, line: str) -> None:
    if not re.fullmatch(r":?[a-z0-9_+-]+:?", rest):
        raise Problem("write an emoji name, e.g. `react pushpin`")
    pg.act({"react": rest})


def do_click(pg: Playground, rest: str, line: str) -> None:
    words = rest.split()
    if not words:
        raise Problem("write `click ACTION KEY`, e.g. `click ticket_ack ESC-1`; see `buttons`")
    click = {"action": words[0]}
    if len(words) == 1:
        click["in_dm"] = True
    else:
        click["card"] = words[1].upper()
    if len(words) > 2:
        click["user"] = words[2]
    pg.act({"click": click})


def do_home(pg: Playground, rest: str, line: str) -> None:
    pg.act({"open_home": True})


def do_wait(pg: Playground, rest: str, line: str) -> None:
    parts = DURATION.findall(rest)
    if not parts or DURATION.sub("", rest).strip():
        raise Problem("write how long, e.g. `wait 30m`, `wait 2h`, `wait 1h30m`")
    unit = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
    span = sum((timedelta(**{unit[u]: int(n)}) for n, u in parts), timedelta())
    if span > timedelta(days=7):
        raise Problem("wait at most a week at a time")
    drill = pg.drill
    drill.advance(drill.clock.offset + span)
    drill.observe(f"{rest} later (Relay's clock ticked every scenario minute)")


COMMANDS = {
    "help": do_help,
    "people": do_people,
    "as": do_as,
    "channel": do_channel,
    "form": do_form,
    "fill": do_fill,
    "submit": do_submit,
    "buttons": do_buttons,
    "click": do_click,
    "post": do_post,
    "react": do_react,
    "home": do_home,
    "wait": do_wait,
}


def lines_from(stream):
    """Lines typed at a prompt on a terminal, else the lines of the stream."""
    if not stream.isatty():
        yield from stream
        return
    while True:
        try:
            yield input("relay> ")
        except EOFError:
            return


def run_playground(*, playbook: str | None = None, out=sys.stdout, stream=sys.stdin) -> int:
    configure_logging("console", "warning")
    playground = Playground(out, playbook)
    try:
        return playground.run(lines_from(stream), echo=not stream.isatty())
    except KeyboardInterrupt:
        return 0
    finally:
        playground.close()
