"""Business-time arithmetic for SLA clocks.

Pure functions: every moment is a timezone-aware datetime passed in by the caller (this module
never reads the clock), and every moment returned is in UTC.

A calendar of None means 24x7: minutes are plain elapsed minutes. Otherwise only minutes inside
the calendar's opening hours count, in the calendar's own time zone, skipping days it is closed
(days not listed in `hours`, public holidays, extra closed dates). Each day's opening and closing
times are built as local wall-clock times and converted to UTC, so a team open 09:00-18:00 stays
open 09:00-18:00 local on both sides of a daylight-saving change.

The arithmetic walks day by day (never minute by minute). A calendar that stays closed for
`MAX_CLOSED_DAYS` days in a row is treated as one that never opens and raises ValueError.
"""

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from app.playbook.teams import Calendar

MAX_CLOSED_DAYS = 3 * 366
ONE_DAY = timedelta(days=1)
ZERO = timedelta(0)

Pause = tuple[datetime, datetime | None]


class SlaState(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    MET = "met"
    PAUSED = "paused"


def _utc(moment: datetime, name: str = "datetime") -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (got naive {moment.isoformat()})")
    return moment.astimezone(UTC)


def _window(calendar: Calendar, day: date) -> tuple[datetime, datetime] | None:
    """The calendar's opening window on local `day`, in UTC, or None when closed all day."""
    hours = calendar.opening_hours(day)
    if hours is None:
        return None
    zone = calendar.zone
    opens = datetime.combine(day, hours[0], tzinfo=zone).astimezone(UTC)
    closes = datetime.combine(day, hours[1], tzinfo=zone).astimezone(UTC)
    # Only possible when both ends fall in or around a DST gap; treat the day as closed.
    return (opens, closes) if closes > opens else None


def _windows(calendar: Calendar, start_day: date, step: timedelta) -> Iterator[tuple]:
    """Opening windows day by day from `start_day`, forwards (step +1 day) or backwards."""
    day, closed_in_a_row = start_day, 0
    while True:
        window = _window(calendar, day)
        if window is None:
            closed_in_a_row += 1
            if closed_in_a_row > MAX_CLOSED_DAYS:
                raise ValueError(
                    f"the calendar ({calendar.timezone}) is closed for more than "
                    f"{MAX_CLOSED_DAYS} days in a row from {start_day}: it never opens"
                )
        else:
            closed_in_a_row = 0
            yield window
        day += step


def _local_day(moment: datetime, calendar: Calendar) -> date:
    return moment.astimezone(calendar.zone).date()


def _add(start: datetime, amount: timedelta, calendar: Calendar | None) -> datetime:
    start = _utc(start, "start")
    if calendar is None or amount <= ZERO:
        return start + amount if calendar is None else start
    remaining = amount
    for opens, closes in _windows(calendar, _local_day(start, calendar), ONE_DAY):
        if closes <= start:
            continue
        begin = max(opens, start)
        available = closes - begin
        if remaining <= available:
            return begin + remaining
        remaining -= available
    raise AssertionError("unreachable")  # pragma: no cover


def _subtract(end: datetime, amount: timedelta, calendar: Calendar | None) -> datetime:
    end = _utc(end, "end")
    if calendar is None or amount <= ZERO:
        return end - amount if calendar is None else end
    remaining = amount
    for opens, closes in _windows(calendar, _local_day(end, calendar), -ONE_DAY):
        if opens >= end:
            continue
        finish = min(closes, end)
        available = finish - opens
        if remaining <= available:
            return finish - remaining
        remaining -= available
    raise AssertionError("unreachable")  # pragma: no cover


def _between(start: datetime, end: datetime, calendar: Calendar | None) -> timedelta:
    start, end = _utc(start, "start"), _utc(end, "end")
    if end <= start:
        return ZERO
    if calendar is None:
        return end - start
    total = ZERO
    day, last = _local_day(start, calendar), _local_day(end, calendar)
    while day <= last:
        window = _window(calendar, day)
        if window is not None:
            overlap = min(window[1], end) - max(window[0], start)
            if overlap > ZERO:
                total += overlap
        day += ONE_DAY
    return total


def add_business_minutes(start: datetime, minutes: int, calendar: Calendar | None) -> datetime:
    """The moment `minutes` business minutes after `start`.

    A start outside opening hours begins counting at the next opening; a target that runs out
    exactly at closing time is due at closing time. Negative minutes count backwards.
    """
    if minutes < 0:
        return subtract_business_minutes(start, -minutes, calendar)
    return _add(start, timedelta(minutes=minutes), calendar)


def subtract_business_minutes(end: datetime, minutes: int, calendar: Calendar | None) -> datetime:
    """The latest moment that is `minutes` business minutes before `end`."""
    if minutes < 0:
        return add_business_minutes(end, -minutes, calendar)
    return _subtract(end, timedelta(minutes=minutes), calendar)


def business_minutes_between(start: datetime, end: datetime, calendar: Calendar | None) -> float:
    """Business minutes elapsed in [start, end); 0 when end <= start."""
    return _between(start, end, calendar).total_seconds() / 60


def _merged_pauses(
    pauses: Sequence[Pause], start: datetime, now: datetime | None
) -> list[tuple[datetime, datetime]]:
    windows = []
    for begin, end in pauses:
        if end is None:
            if now is None:
                raise ValueError("an open pause (end None) needs `now`")
            end = now
        begin, end = max(_utc(begin, "pause start"), start), _utc(end, "pause end")
        if end > begin:
            windows.append((begin, end))
    windows.sort()
    merged: list[tuple[datetime, datetime]] = []
    for begin, end in windows:
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return merged


def due_at(
    start: datetime,
    minutes: int,
    calendar: Calendar | None,
    pauses: Sequence[Pause] = (),
    now: datetime | None = None,
) -> datetime:
    """The deadline for `minutes` business minutes from `start`, not counting time paused.

    An open pause `(begin, None)` runs up to `now`: the result is the deadline as if the pause
    ended at `now` (the clock stays stopped, so it moves later as `now` moves on). A pause that
    starts after the deadline has no effect.
    """
    current = _utc(start, "start")
    remaining = timedelta(minutes=minutes)
    for begin, end in _merged_pauses(pauses, current, None if now is None else _utc(now, "now")):
        if end <= current:
            continue
        if begin > current:
            deadline = _add(current, remaining, calendar)
            if deadline <= begin:
                return deadline
            remaining -= _between(current, begin, calendar)
        current = end
    return _add(current, remaining, calendar)


def warn_at(due: datetime, lead_minutes: int, calendar: Calendar | None) -> datetime:
    """When to warn: `lead_minutes` business minutes before `due`."""
    return subtract_business_minutes(due, lead_minutes, calendar)


def sla_state(
    *,
    due: datetime,
    warn_lead_minutes: int,
    now: datetime,
    met_at: datetime | None,
    paused: bool = False,
    calendar: Calendar | None = None,
) -> SlaState:
    """Where a clock stands at `now`."""
    due = _utc(due, "due")
    if met_at is not None:
        return SlaState.MET if _utc(met_at, "met_at") <= due else SlaState.BREACHED
    if paused:
        return SlaState.PAUSED
    now = _utc(now, "now")
    if now >= due:
        return SlaState.BREACHED
    if now >= warn_at(due, warn_lead_minutes, calendar):
        return SlaState.AT_RISK
    return SlaState.ON_TRACK
