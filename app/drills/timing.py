"""A drill's times: its start, the scenario times of steps, and the accelerated clock it runs
on (Relay's `now` during a drill)."""

import re
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday: the default scenario start


class DrillError(Exception):
    """The scenario itself is wrong (unknown actor, step, channel, key, field)."""


START_FORMAT = re.compile(r"^(\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2})(?:\s+(\S+))?$")


def parse_start(text: str) -> datetime:
    """`2026-11-28 22:00 Europe/London` (zone optional, UTC by default) as an aware datetime."""
    found = START_FORMAT.match(str(text).strip())
    problem = f'start: expected "YYYY-MM-DD HH:MM" and a zone such as Europe/London, got {text!r}'
    if not found:
        raise DrillError(problem)
    try:
        when = datetime.strptime(found.group(1).replace("T", " "), "%Y-%m-%d %H:%M")
    except ValueError:
        raise DrillError(problem) from None
    return when.replace(tzinfo=zone(found.group(2) or "UTC"))


def zone(name: str) -> tzinfo:
    if name.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise DrillError(
            f"start: no time zone {name!r}; use an IANA name such as Europe/London"
        ) from None


class ScenarioClock:
    """Relay's `now` during a drill: the scenario's start plus the current step's offset."""

    def __init__(self, start: datetime = START):
        self.start, self.offset = start, timedelta()

    def __call__(self) -> datetime:
        return (self.start + self.offset).astimezone(UTC)

    def at(self, stamp: str) -> None:
        self.offset = offset(stamp)


STAMP = re.compile(r"^\d+(:\d{1,2}){0,2}$")


def parse_offset(stamp, here: str) -> timedelta:
    if not isinstance(stamp, str) or not STAMP.match(stamp.strip()):
        raise DrillError(
            f'{here}: expected a scenario time such as "01:30" or "04:01:00", got {stamp!r}'
        )
    return offset(stamp)


def offset(stamp) -> timedelta:
    """Scenario time "MM:SS" or "HH:MM:SS" from the start."""
    parts = [int(p) for p in str(stamp).split(":")]
    while len(parts) < 3:
        parts.insert(0, 0)
    return timedelta(hours=parts[0], minutes=parts[1], seconds=parts[2])
