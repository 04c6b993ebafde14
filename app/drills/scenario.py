"""A drill scenario: loading and checking it (its times and clock: `app/drills/timing.py`).

A scenario is checked up front: its shape here (`validate_scenario`, pydantic models that
refuse unknown keys), and what it names (people, channels, modal fields, buttons) against the
playbook and the workspace when the drill starts (`runner.Drill.check_names`). Every mistake
is a `DrillError` naming where it is, such as `steps[3].submit.sev: no field 'sev'; …`.
"""

import difflib
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.drills.timing import DrillError, parse_offset, parse_start

SCENARIOS = Path(__file__).resolve().parent / "scenarios"

ACTIONS = ("post", "command", "shortcut", "submit", "click", "open_home", "react")
KINDS = (
    "message",
    "message_updated",
    "message_deleted",
    "ephemeral",
    "response",
    "dm",
    "view_opened",
    "view_updated",
    "view_pushed",
    "view_closed",
    "home_published",
    "canvas_created",
    "canvas_edited",
    # what happens to channels Relay makes (war rooms, swarms)
    "channel_created",
    "channel_renamed",
    "channel_archived",
    "topic_set",
    "purpose_set",
    "invited",
    "bookmark_added",
    "pin_added",
    "reaction_added",
)
# `seen_by` (and a post's or command's channel) may name a ticket's war room or swarm as
# `room:KEY`; `seen_by: workspace` is everything that happened in Slack (to catch, say, a
# second channel made for one ticket).
ROOM_PREFIX = "room:"
WORKSPACE = "workspace"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class GuestSpec(_Strict):
    name: str | None = None


class ChannelSpec(_Strict):
    members: list[str] = Field(default_factory=lambda: ["everyone"])


class PostSpec(_Strict):
    channel: str
    text: str


class ClickSpec(_Strict):
    action: str
    card: str | None = None
    in_dm: bool = False
    user: str | None = None


class ExpectSpec(_Strict):
    seen_by: str | None = None
    kind: str | None = None
    contains: str | None = None
    count: int | None = None
    by: str | None = None
    say: str | None = None
    pings: int | None = None


class StepSpec(_Strict):
    at: str = "0:00"
    actor: str | None = None
    post: PostSpec | None = None
    command: str | None = None
    channel: str | None = None
    shortcut: str | None = None
    submit: dict[str, str] | None = None
    click: ClickSpec | None = None
    open_home: bool = False
    react: str | None = None  # an emoji name: the actor reacts to the last posted message
    expect: list[ExpectSpec] = Field(default_factory=list)


class ScenarioSpec(_Strict):
    name: str
    title: str = ""
    start: str | None = None
    tick_every: str = "01:00"
    guests: dict[str, GuestSpec] = Field(default_factory=dict)
    channels: dict[str, ChannelSpec] = Field(default_factory=dict)
    home_channel: str | None = None
    steps: list[StepSpec]
    expect: list[ExpectSpec] = Field(default_factory=list)


# Which model a mapping at a location is, by the nearest named key above it.
_MODELS = {
    "steps": StepSpec,
    "expect": ExpectSpec,
    "post": PostSpec,
    "click": ClickSpec,
    "guests": GuestSpec,
    "channels": ChannelSpec,
}


def where(loc) -> str:
    """("steps", 3, "submit", "sev") -> "steps[3].submit.sev"."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def choices(word: str, known, noun: str) -> str:
    """` (did you mean 'expect'?); keys: at, actor, …` for a word that is not one of `known`."""
    known = list(known)
    close = difflib.get_close_matches(word, known, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{hint}; {noun}: {', '.join(known)}"


def _model_for(loc) -> type[BaseModel]:
    parents = [p for p in loc if isinstance(p, str)]
    for i in range(len(parents) - 1, -1, -1):
        model = _MODELS.get(parents[i])
        # `guests: {dana: {...}}`: the model is for what sits under the name, not the name
        if model is not None:
            return model
    return ScenarioSpec


def _message(error: dict) -> str:
    loc, kind, value = error["loc"], error["type"], error.get("input")
    # pydantic reports a union/optional's member type in the location; drop it.
    loc = tuple(p for p in loc if p not in ("str", "int", "bool", "list", "dict"))
    here = where(loc) or "scenario"
    if kind == "extra_forbidden":
        model = _model_for(loc[:-1])
        key = str(loc[-1])
        return f"{here}: unknown key {key!r}" + choices(key, model.model_fields, "keys")
    if kind == "missing":
        return f"{here}: missing"
    if loc and loc[-1] in ("at", "by", "tick_every") and not isinstance(value, str):
        return f'{here}: write the time in quotes, e.g. "01:30" (YAML reads 01:30 as a number)'
    wanted = {
        "string_type": "text",
        "int_type": "a whole number",
        "bool_type": "true or false",
        "list_type": "a list",
        "dict_type": "a mapping (key: value)",
        "model_type": "a mapping (key: value)",
    }.get(kind, error["msg"])
    return f"{here}: expected {wanted}, got {value!r}"


def validate_scenario(data: Any) -> dict:
    """Check the scenario's shape; return it as a plain dict (defaults filled in)."""
    if not isinstance(data, dict):
        raise DrillError("a scenario is a mapping with name, steps and so on")
    try:
        spec = ScenarioSpec.model_validate(data)
    except ValidationError as exc:
        # An unknown key first: it usually explains a "missing" one (`stpes:` for `steps:`).
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        raise DrillError(_message(errors[0])) from None
    for i, step in enumerate(spec.steps):
        here = f"steps[{i}]"
        doing = [a for a in ACTIONS if getattr(step, a)]
        if len(doing) > 1:
            raise DrillError(f"{here}: one action per step, found {', '.join(doing)}")
        if doing and not step.actor:
            raise DrillError(f"{here}.actor: missing; who does the {doing[0]}?")
        if step.actor and not doing:
            raise DrillError(
                f"{here}: {step.actor} has nothing to do; give one of {', '.join(ACTIONS)}"
            )
        if step.click and bool(step.click.card) == step.click.in_dm:
            raise DrillError(f"{here}.click: give either card: KEY or in_dm: true")
        for j, expect in enumerate(step.expect):
            _check_expect(expect, f"{here}.expect[{j}]")
    for j, expect in enumerate(spec.expect):
        _check_expect(expect, f"expect[{j}]")
    previous, before = timedelta(), "0:00"
    for i, step in enumerate(spec.steps):
        at = parse_offset(step.at, f"steps[{i}].at")
        if at < previous:
            raise DrillError(f"steps[{i}].at: {step.at} is before steps[{i - 1}] at {before}")
        previous, before = at, step.at
    parse_offset(spec.tick_every, "tick_every")
    if parse_offset(spec.tick_every, "tick_every") <= timedelta():
        raise DrillError("tick_every: must be longer than 0")
    if spec.start is not None:
        parse_start(spec.start)
    return spec.model_dump(exclude_none=True)


def _check_expect(expect: ExpectSpec, here: str) -> None:
    if (expect.seen_by is None) == (expect.pings is None):
        raise DrillError(f"{here}: give either seen_by (a person or #channel) or pings")
    if expect.kind is not None and expect.kind not in KINDS:
        raise DrillError(
            f"{here}.kind: no kind {expect.kind!r}" + choices(expect.kind, KINDS, "kinds")
        )
    if expect.by is not None:
        parse_offset(expect.by, f"{here}.by")


def load_scenario(name: str) -> dict:
    path = Path(name)
    if not path.exists():
        path = SCENARIOS / f"{name}.yml"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in SCENARIOS.glob("*.yml")))
        raise DrillError(f"no scenario {name!r}; shipped scenarios: {known}")
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise DrillError(f"{path.name} is not valid YAML: {exc}") from None
    return validate_scenario(data)
