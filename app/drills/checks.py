"""What a drill checks: that everything its scenario names exists, and its expectations
(who saw what, by when, how many times; that nobody was pinged)."""

from sqlalchemy import select

from app.drills.scenario import ROOM_PREFIX, WORKSPACE, DrillError, choices
from app.drills.timing import offset
from app.drills.transcript import readable
from app.models import Ticket
from blocks.ids import Action, Command, Field, Shortcut

CHANNEL_KINDS = ("message", "message_updated", "canvas_created", "canvas_edited")


def check_names(drill) -> None:
    """Everything the scenario names exists: people, channels, fields, buttons, shortcuts."""
    s = drill.scenario
    people = sorted(drill.ws.users)

    def person(ref: str, here: str) -> None:
        try:
            drill.user(ref)
        except DrillError:
            raise DrillError(
                f"{here}: no person {ref!r}"
                + choices(ref, people, "people (or a role such as payments.L1.primary)")
            ) from None

    def channel(name: str, here: str) -> None:
        if name.startswith(ROOM_PREFIX):  # a ticket's channel: made while the drill runs
            return
        if name.lstrip("#") not in drill.ws.channels:
            raise DrillError(
                f"{here}: no channel {name!r}"
                + choices(name.lstrip("#"), sorted(drill.ws.channels), "channels")
            )

    def expectations(items: list[dict], here: str) -> None:
        for j, expect in enumerate(items):
            target = expect.get("seen_by")
            if target is None or target == WORKSPACE:
                continue
            if target.startswith(("#", ROOM_PREFIX)):
                channel(target, f"{here}[{j}].seen_by")
            else:
                person(target, f"{here}[{j}].seen_by")

    for name, spec in (s.get("channels") or {}).items():
        for member in spec.get("members", []):
            if member != "everyone" and member not in drill.ws.users:
                person(member, f"channels.{name}.members")
    if s.get("home_channel"):
        channel(s["home_channel"], "home_channel")
    fields = [f.value for f in Field]
    actions = [a.value for a in Action]
    shortcuts = [c.value for c in Shortcut]
    posted = False
    for i, step in enumerate(s["steps"]):
        here = f"steps[{i}]"
        if "actor" in step:
            person(step["actor"], f"{here}.actor")
        if "post" in step:
            channel(step["post"]["channel"], f"{here}.post.channel")
            posted = True
        if "command" in step:
            name = step["command"].split(" ")[0]
            if name not in [c.value for c in Command]:
                raise DrillError(
                    f"{here}.command: no command {name!r}; commands: "
                    + ", ".join(c.value for c in Command)
                )
            where = step.get("channel") or s.get("home_channel")
            if not where:
                raise DrillError(f"{here}.channel: missing; say where the command is typed")
            channel(where, f"{here}.channel")
        elif "channel" in step:
            raise DrillError(f"{here}.channel: only a command step takes a channel")
        if "shortcut" in step:
            if step["shortcut"] not in shortcuts:
                raise DrillError(
                    f"{here}.shortcut: no shortcut {step['shortcut']!r}"
                    + choices(step["shortcut"], shortcuts, "shortcuts")
                )
            if step["shortcut"] == Shortcut.ESCALATE_MESSAGE and not posted:
                raise DrillError(
                    f"{here}.shortcut: escalate_message needs a post in an earlier step"
                )
        for key in step.get("submit") or {}:
            if key not in fields:
                raise DrillError(
                    f"{here}.submit.{key}: no field {key!r}" + choices(key, fields, "fields")
                )
        if "click" in step:
            click = step["click"]
            if click["action"] not in actions:
                raise DrillError(
                    f"{here}.click.action: no button {click['action']!r}"
                    + choices(click["action"], actions, "actions")
                )
            if "user" in click:
                person(click["user"], f"{here}.click.user")
        expectations(step.get("expect") or [], f"{here}.expect")
    expectations(s.get("expect") or [], "expect")


def broadcast_pings(drill) -> list:
    """Pings Relay caused for @channel, @here, @everyone or a user group."""
    broadcast = ("channel", "here", "everyone")
    return [
        p
        for p in drill.sim.pings
        if p.by == drill.sim.bot_user_id and (p.target in broadcast or p.target[0] == "S")
    ]


def matching(drill, expect: dict, observations) -> list:
    target = expect["seen_by"]
    if target == WORKSPACE:
        seen = list(observations)
    elif target.startswith(ROOM_PREFIX):
        room = drill.room(target, required=False)
        seen = [o for o in observations if room and o.channel == room and o.public]
    elif target.startswith("#"):
        channel = drill.channel(target)
        seen = [o for o in observations if o.channel == channel and o.kind in CHANNEL_KINDS]
    else:
        # What was sent to that person: DMs, ephemerals, modals, App Home, answers to
        # their commands; not what a channel they are in shows everyone.
        user = drill.user(target)
        seen = [o for o in observations if o.user == user]
    if "kind" in expect:
        seen = [o for o in seen if o.kind == expect["kind"]]
    if "by" in expect:
        latest = drill.clock.start + offset(expect["by"])
        seen = [o for o in seen if drill.when[o.seq] <= latest]
    if "contains" in expect:
        needle = str(expect["contains"]).casefold()
        seen = [
            o
            for o in seen
            if needle in readable(o.text, o.view or o.blocks, drill.ws.names).casefold()
        ]
    return seen


def check(drill, expectations: list[dict], observations) -> None:
    for expect in expectations or []:
        drill.checked += 1
        if "pings" in expect:
            found, wanted = len(broadcast_pings(drill)), expect["pings"]
        else:
            found, wanted = len(matching(drill, expect, observations)), expect.get("count")
        ok = found == wanted if wanted is not None else found >= 1
        label = expect.get("say") or ", ".join(f"{k}={v}" for k, v in expect.items())
        mark = "✓" if ok else "✗"
        detail = "" if ok else f" (found {found}, wanted {wanted or 'at least 1'})"
        drill.out.write(f"        {mark} {label}{detail}\n")
        if not ok:
            drill.failures.append(label + detail)


def button_label(drill, channel: str, ts: str, action: str) -> str:
    """The label Slack shows on the button (or select) `action` of a message."""
    message = drill.sim.message(channel, ts) or {}
    for block in message.get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("action_id") == action:
                text = element.get("text") or element.get("placeholder") or {}
                return text.get("text", action)
    where = "the card" if card_key(drill, channel, ts) else "the message"
    buttons = [
        e.get("action_id")
        for b in message.get("blocks") or []
        for e in b.get("elements") or []
        if e.get("action_id")
    ]
    raise DrillError(
        f"{drill.step_at}.click.action: {where} has no {action!r} button now"
        + (choices(action, buttons, "buttons") if buttons else "; it has no buttons")
    )


def card_key(drill, channel: str, ts: str) -> str | None:
    with drill.relay.sessions() as db:
        ticket = db.scalar(
            select(Ticket).where(Ticket.card_channel == channel, Ticket.card_ts == ts)
        )
    return ticket.key if ticket else None
