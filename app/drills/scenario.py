"""A drill scenario: loading it, and the accelerated clock it runs on."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

SCENARIOS = Path(__file__).resolve().parent / "scenarios"
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class DrillError(Exception):
    """The scenario itself is wrong (unknown actor, step, channel)."""


def load_scenario(name: str) -> dict:
    path = Path(name)
    if not path.exists():
        path = SCENARIOS / f"{name}.yml"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in SCENARIOS.glob("*.yml")))
        raise DrillError(f"no scenario {name!r}; shipped scenarios: {known}")
    return yaml.safe_load(path.read_text())


class ScenarioClock:
    """Relay's `now` during a drill: the scenario's start plus the current step's offset."""

    def __init__(self, start: datetime = START):
        self.start, self.offset = start, timedelta()

    def __call__(self) -> datetime:
        return self.start + self.offset

    def at(self, stamp: str) -> None:
        self.offset = offset(stamp)


def offset(stamp) -> timedelta:
    """Scenario time "MM:SS" or "HH:MM:SS" from the start."""
    parts = [int(p) for p in str(stamp).split(":")]
    while len(parts) < 3:
        parts.insert(0, 0)
    return timedelta(hours=parts[0], minutes=parts[1], seconds=parts[2])
