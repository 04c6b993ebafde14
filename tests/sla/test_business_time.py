"""Business-time arithmetic: each row is a case a support manager would recognise.

Times in the tables are local wall-clock times in the named calendar's time zone
("2026-06-19 17:30" in London is 17:30 on the office clock there). The functions take and
return aware datetimes; results are always UTC.
"""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.playbook import load_playbook
from app.playbook.teams import Calendar
from app.sla.business_time import (
    SlaState,
    add_business_minutes,
    business_minutes_between,
    due_at,
    sla_state,
    subtract_business_minutes,
    warn_at,
)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
DAY = 9 * 60  # one business day of a 09:00-18:00 team


def weekdays(hours: str) -> dict[str, str]:
    return dict.fromkeys(WEEKDAYS, hours)


# name -> (time zone the table's times are written in, calendar; None = 24x7)
CALENDARS: dict[str, tuple[str, Calendar | None]] = {
    "london": (
        "Europe/London",
        Calendar(
            timezone="Europe/London",
            hours=weekdays("09:00-18:00"),
            holidays={"country": "GB", "subdiv": "ENG"},
            closed_dates=[date(2026, 7, 3), date(2026, 12, 24)],
        ),
    ),
    "new-york": (
        "America/New_York",
        Calendar(
            timezone="America/New_York",
            hours=weekdays("09:00-17:00"),
            holidays={"country": "US", "subdiv": "NY"},
        ),
    ),
    "singapore": (
        "Asia/Singapore",
        Calendar(
            timezone="Asia/Singapore",
            hours=weekdays("09:00-18:00") | {"sat": "09:00-13:00"},
            holidays={"country": "SG"},
        ),
    ),
    "kolkata": ("Asia/Kolkata", Calendar(timezone="Asia/Kolkata", hours=weekdays("10:00-19:00"))),
    "los-angeles": (
        "America/Los_Angeles",
        Calendar(timezone="America/Los_Angeles", hours=weekdays("08:00-17:00")),
    ),
    "24x7 london": ("Europe/London", None),
    "24x7 new-york": ("America/New_York", None),
    "24x7 utc": ("UTC", None),
}


def local(tz: str, text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz))


def setup(name: str, *texts: str) -> tuple[Calendar | None, list[datetime]]:
    tz, calendar = CALENDARS[name]
    return calendar, [local(tz, text) for text in texts]


# --- add_business_minutes ------------------------------------------------------------------

ADD = [
    # calendar, opened (local), target minutes, due (local)
    pytest.param("london", "2026-06-16 10:00", 120, "2026-06-16 12:00", id="within-hours"),
    pytest.param("london", "2026-06-16 17:00", 60, "2026-06-16 18:00", id="due-exactly-at-closing"),
    pytest.param("london", "2026-06-16 17:30", 60, "2026-06-17 09:30", id="crosses-closing-time"),
    pytest.param("london", "2026-06-19 17:30", 60, "2026-06-22 09:30", id="friday-into-monday"),
    pytest.param("london", "2026-05-01 17:30", 60, "2026-05-05 09:30", id="monday-bank-holiday"),
    pytest.param("london", "2026-06-16 07:00", 60, "2026-06-16 10:00", id="opened-before-opening"),
    pytest.param("london", "2026-06-16 20:00", 30, "2026-06-17 09:30", id="opened-after-closing"),
    pytest.param("london", "2026-06-21 14:00", 30, "2026-06-22 09:30", id="opened-on-sunday"),
    pytest.param(
        "london", "2026-06-20 00:00", 30, "2026-06-22 09:30", id="opened-saturday-midnight"
    ),
    # Christmas Eve closed, Christmas Day, weekend, Boxing Day observed on Monday 28th.
    pytest.param("london", "2026-12-23 17:00", 120, "2026-12-29 10:00", id="christmas-shutdown"),
    pytest.param("london", "2026-07-02 17:00", 120, "2026-07-06 10:00", id="extra-closed-date"),
    pytest.param("new-york", "2026-11-25 16:00", 120, "2026-11-27 10:00", id="us-thanksgiving"),
    # Daylight saving: the office stays open 09:00 local on both sides of the change.
    pytest.param("london", "2026-03-27 17:00", 120, "2026-03-30 10:00", id="london-clocks-forward"),
    pytest.param("london", "2026-10-23 17:00", 120, "2026-10-26 10:00", id="london-clocks-back"),
    pytest.param("new-york", "2026-03-06 16:00", 120, "2026-03-09 10:00", id="ny-clocks-forward"),
    pytest.param("new-york", "2026-10-30 16:00", 120, "2026-11-02 10:00", id="ny-clocks-back"),
    # A 24x7 target across the change: 24 elapsed hours, so the wall clock shows +/- 1 hour.
    pytest.param("24x7 london", "2026-03-28 12:00", 1440, "2026-03-29 13:00", id="24x7-london-fwd"),
    pytest.param(
        "24x7 london", "2026-10-24 12:00", 1440, "2026-10-25 11:00", id="24x7-london-back"
    ),
    pytest.param("24x7 new-york", "2026-03-07 12:00", 1440, "2026-03-08 13:00", id="24x7-ny-fwd"),
    pytest.param("24x7 new-york", "2026-10-31 12:00", 1440, "2026-11-01 11:00", id="24x7-ny-back"),
    pytest.param("24x7 utc", "2026-06-19 23:30", 90, "2026-06-20 01:00", id="24x7-over-weekend"),
    # East of UTC: Singapore opens on Saturday mornings.
    pytest.param("singapore", "2026-06-19 17:00", 180, "2026-06-20 11:00", id="singapore-saturday"),
    pytest.param(
        "singapore", "2026-06-20 12:00", 120, "2026-06-22 10:00", id="singapore-sat-to-mon"
    ),
    pytest.param("singapore", "2026-05-30 12:00", 120, "2026-06-02 10:00", id="singapore-vesak"),
    pytest.param(
        "kolkata", "2026-06-15 18:30", 60, "2026-06-16 10:30", id="kolkata-half-hour-zone"
    ),
    # West of UTC: a Friday-afternoon ticket is already Saturday in UTC.
    pytest.param("los-angeles", "2026-06-19 16:30", 60, "2026-06-22 08:30", id="la-friday"),
    pytest.param("los-angeles", "2026-06-15 22:00", 60, "2026-06-16 09:00", id="la-late-evening"),
    # Multi-day targets: 3 business days.
    pytest.param("london", "2026-06-15 09:00", 3 * DAY, "2026-06-17 18:00", id="3-days-from-open"),
    pytest.param(
        "london", "2026-06-17 14:00", 3 * DAY, "2026-06-22 14:00", id="3-days-over-weekend"
    ),
    pytest.param("london", "2026-12-22 12:00", 3 * DAY, "2026-12-30 12:00", id="3-days-christmas"),
    pytest.param("london", "2026-06-16 11:00", 0, "2026-06-16 11:00", id="zero-minutes"),
]


@pytest.mark.parametrize(("name", "opened", "minutes", "due"), ADD)
def test_add_business_minutes(name, opened, minutes, due):
    calendar, (start, expected) = setup(name, opened, due)
    result = add_business_minutes(start, minutes, calendar)
    assert result == expected
    assert result.tzinfo is UTC


@pytest.mark.parametrize(("name", "opened", "minutes", "due"), ADD)
def test_business_minutes_between_round_trips(name, opened, minutes, due):
    calendar, (start,) = setup(name, opened)
    end = add_business_minutes(start, minutes, calendar)
    assert business_minutes_between(start, end, calendar) == minutes


def test_24x7_across_dst_is_exact_elapsed_time():
    calendar, (start,) = setup("24x7 london", "2026-03-28 12:00")
    due = add_business_minutes(start, 1440, calendar)
    assert due - start == timedelta(hours=24)
    assert due == datetime(2026, 3, 29, 12, 0, tzinfo=UTC)


def test_the_shipped_playbook_example_holds():
    """playbook.yml: a 4-hour target opened 16:00 Friday, team open 09:00-17:00."""
    playbook = load_playbook(Path(__file__).resolve().parents[2] / "playbook.yml")
    platform = playbook.teams["platform"].calendar
    opened = local("America/New_York", "2026-06-12 16:00")
    assert add_business_minutes(opened, 240, platform) == local(
        "America/New_York", "2026-06-15 12:00"
    )


def test_long_targets_walk_day_by_day_not_minute_by_minute(monkeypatch):
    calendar, (start,) = setup("london", "2026-06-15 09:00")
    calls = []
    original = Calendar.opening_hours

    def counting(self, day):
        calls.append(day)
        return original(self, day)

    monkeypatch.setattr(Calendar, "opening_hours", counting)
    add_business_minutes(start, 10 * DAY, calendar)  # two working weeks
    assert len(calls) <= 14


# --- business_minutes_between -------------------------------------------------------------

BETWEEN = [
    # calendar, from, to (local), business minutes elapsed
    pytest.param("london", "2026-06-16 10:00", "2026-06-16 12:30", 150, id="same-morning"),
    pytest.param("london", "2026-06-16 12:00", "2026-06-16 10:00", 0, id="end-before-start"),
    pytest.param("london", "2026-06-19 17:00", "2026-06-22 10:00", 120, id="over-the-weekend"),
    pytest.param("london", "2026-06-20 10:00", "2026-06-21 20:00", 0, id="all-weekend"),
    pytest.param("london", "2026-06-15 00:00", "2026-06-22 00:00", 5 * DAY, id="whole-week"),
    pytest.param("london", "2026-12-23 09:00", "2026-12-29 18:00", 2 * DAY, id="christmas-week"),
    pytest.param("london", "2026-03-27 17:30", "2026-03-30 09:30", 60, id="london-dst-weekend"),
    pytest.param("24x7 london", "2026-03-28 12:00", "2026-03-29 12:00", 23 * 60, id="23-hour-day"),
    pytest.param("24x7 london", "2026-10-24 12:00", "2026-10-25 12:00", 25 * 60, id="25-hour-day"),
    pytest.param("24x7 new-york", "2026-03-08 00:00", "2026-03-09 00:00", 23 * 60, id="ny-23h"),
    pytest.param("24x7 new-york", "2026-11-01 00:00", "2026-11-02 00:00", 25 * 60, id="ny-25h"),
    pytest.param("kolkata", "2026-06-15 18:45", "2026-06-16 10:15", 30, id="kolkata-overnight"),
]


@pytest.mark.parametrize(("name", "start", "end", "minutes"), BETWEEN)
def test_business_minutes_between(name, start, end, minutes):
    calendar, (begin, finish) = setup(name, start, end)
    assert business_minutes_between(begin, finish, calendar) == minutes


def test_business_minutes_between_counts_seconds_as_fractions():
    calendar, (begin,) = setup("london", "2026-06-16 10:00")
    assert business_minutes_between(begin, begin + timedelta(seconds=90), calendar) == 1.5


# --- due_at with pauses ("waiting on customer") --------------------------------------------

TUE = "2026-06-16"
FRI = "2026-06-19"
PAUSED = [
    # calendar, opened, target, pauses [(from, to or None)], now, due
    pytest.param("london", f"{TUE} 10:00", 240, [], None, f"{TUE} 14:00", id="no-pause"),
    pytest.param(
        "london",
        f"{TUE} 10:00",
        240,
        [(f"{TUE} 11:00", f"{TUE} 12:00")],
        None,
        f"{TUE} 15:00",
        id="one-hour-waiting-on-customer",
    ),
    pytest.param(
        "london",
        f"{TUE} 10:00",
        240,
        [(f"{TUE} 11:00", f"{TUE} 12:00"), (f"{TUE} 11:30", f"{TUE} 12:30")],
        None,
        f"{TUE} 15:30",
        id="overlapping-pauses-count-once",
    ),
    pytest.param(
        "london",
        f"{TUE} 10:00",
        240,
        [(f"{TUE} 09:00", f"{TUE} 10:30")],
        None,
        f"{TUE} 14:30",
        id="pause-begun-before-opening-the-ticket",
    ),
    pytest.param(
        "london",
        f"{TUE} 10:00",
        240,
        [(f"{TUE} 15:00", f"{TUE} 16:00")],
        None,
        f"{TUE} 14:00",
        id="pause-after-the-deadline",
    ),
    pytest.param(
        "london",
        f"{TUE} 10:00",
        240,
        [(f"{TUE} 14:00", f"{TUE} 15:00")],
        None,
        f"{TUE} 14:00",
        id="pause-starting-at-the-deadline",
    ),
    pytest.param("london", f"{FRI} 16:00", 240, [], None, "2026-06-22 11:00", id="friday-no-pause"),
    pytest.param(
        "london",
        f"{FRI} 16:00",
        240,
        [("2026-06-20 10:00", "2026-06-21 18:00")],
        None,
        "2026-06-22 11:00",
        id="pause-over-the-weekend-changes-nothing",
    ),
    pytest.param(
        "london",
        f"{FRI} 16:00",
        240,
        [(f"{FRI} 18:30", "2026-06-22 08:00")],
        None,
        "2026-06-22 11:00",
        id="pause-outside-hours-changes-nothing",
    ),
    pytest.param(
        "london",
        f"{FRI} 16:00",
        240,
        [(f"{FRI} 17:00", "2026-06-22 10:00")],
        None,
        "2026-06-22 13:00",
        id="pause-across-closing-and-weekend",
    ),
    pytest.param(
        "london",
        f"{TUE} 10:00",
        240,
        [(f"{TUE} 11:00", None)],
        f"{TUE} 13:00",
        f"{TUE} 16:00",
        id="still-waiting-on-customer",
    ),
    pytest.param(
        "london",
        f"{TUE} 10:00",
        240,
        [(f"{TUE} 11:00", None)],
        f"{TUE} 17:00",
        "2026-06-17 11:00",
        id="still-waiting-past-closing",
    ),
    pytest.param(
        "london",
        f"{FRI} 16:00",
        240,
        [(f"{FRI} 18:30", None)],
        "2026-06-20 12:00",
        "2026-06-22 11:00",
        id="waiting-since-friday-evening",
    ),
    pytest.param(
        "24x7 utc",
        f"{TUE} 10:00",
        60,
        [(f"{TUE} 10:15", f"{TUE} 10:45")],
        None,
        f"{TUE} 11:30",
        id="24x7-half-hour-pause",
    ),
    pytest.param(
        "24x7 utc",
        f"{TUE} 10:00",
        60,
        [(f"{TUE} 10:15", f"{TUE} 10:45"), (f"{TUE} 11:00", None)],
        f"{TUE} 12:00",
        f"{TUE} 12:30",
        id="24x7-second-pause-still-open",
    ),
    pytest.param(
        "new-york",
        "2026-03-06 16:00",
        120,
        [("2026-03-06 16:30", "2026-03-09 09:30")],
        None,
        "2026-03-09 11:00",
        id="pause-across-dst-weekend",
    ),
]


@pytest.mark.parametrize(("name", "opened", "minutes", "pauses", "now", "due"), PAUSED)
def test_due_at_with_pauses(name, opened, minutes, pauses, now, due):
    tz, calendar = CALENDARS[name]
    windows = [(local(tz, a), local(tz, b) if b else None) for a, b in pauses]
    result = due_at(
        local(tz, opened), minutes, calendar, windows, now=local(tz, now) if now else None
    )
    assert result == local(tz, due)
    assert result.tzinfo is UTC


def test_open_pause_needs_now():
    calendar, (start, pause) = setup("london", f"{TUE} 10:00", f"{TUE} 11:00")
    with pytest.raises(ValueError, match="now"):
        due_at(start, 60, calendar, [(pause, None)])


# --- warn_at ------------------------------------------------------------------------------

WARN = [
    # calendar, due (local), lead minutes, warn at (local)
    pytest.param("24x7 utc", f"{TUE} 12:00", 10, f"{TUE} 11:50", id="24x7"),
    pytest.param("london", f"{TUE} 12:00", 60, f"{TUE} 11:00", id="same-morning"),
    pytest.param("london", "2026-06-22 09:30", 60, f"{FRI} 17:30", id="monday-due-warns-friday"),
    pytest.param("london", "2026-06-22 09:00", 30, f"{FRI} 17:30", id="due-at-opening"),
    pytest.param("london", "2026-12-29 10:00", 120, "2026-12-23 17:00", id="back-over-christmas"),
    pytest.param("london", "2026-03-30 09:30", 60, "2026-03-27 17:30", id="back-over-dst"),
    pytest.param("london", f"{TUE} 12:00", 0, f"{TUE} 12:00", id="no-lead"),
    pytest.param("24x7 london", "2026-03-29 03:00", 120, "2026-03-29 00:00", id="24x7-over-dst"),
]


@pytest.mark.parametrize(("name", "due", "lead", "warn"), WARN)
def test_warn_at(name, due, lead, warn):
    calendar, (deadline, expected) = setup(name, due, warn)
    assert warn_at(deadline, lead, calendar) == expected
    assert subtract_business_minutes(deadline, lead, calendar) == expected


# --- sla_state ----------------------------------------------------------------------------

MONDAY_DUE = "2026-06-22 09:30"  # warns Friday 17:30 (60 business minutes before)
STATES = [
    # calendar, now (local), met at (local), paused, state
    pytest.param("london", f"{FRI} 17:00", None, False, SlaState.ON_TRACK, id="on-track"),
    pytest.param(
        "london", f"{FRI} 17:30", None, False, SlaState.AT_RISK, id="at-risk-from-warning"
    ),
    pytest.param("london", "2026-06-20 12:00", None, False, SlaState.AT_RISK, id="at-risk-weekend"),
    pytest.param("london", MONDAY_DUE, None, False, SlaState.BREACHED, id="breached-at-due"),
    pytest.param("london", "2026-06-23 10:00", None, False, SlaState.BREACHED, id="breached-later"),
    pytest.param("london", "2026-06-23 10:00", "2026-06-22 09:29", False, SlaState.MET, id="met"),
    pytest.param("london", "2026-06-23 10:00", MONDAY_DUE, False, SlaState.MET, id="met-just-so"),
    pytest.param(
        "london", "2026-06-23 10:00", "2026-06-22 09:31", False, SlaState.BREACHED, id="met-late"
    ),
    pytest.param("london", "2026-06-20 12:00", None, True, SlaState.PAUSED, id="paused"),
    pytest.param(
        "london", "2026-06-23 10:00", None, True, SlaState.PAUSED, id="paused-past-old-due"
    ),
    pytest.param("london", "2026-06-23 10:00", f"{FRI} 12:00", True, SlaState.MET, id="met-wins"),
    # 24x7 with the same due time: Saturday noon is still far from Monday morning.
    pytest.param("24x7 london", "2026-06-20 12:00", None, False, SlaState.ON_TRACK, id="24x7-sat"),
    pytest.param("24x7 london", "2026-06-22 08:30", None, False, SlaState.AT_RISK, id="24x7-risk"),
]


@pytest.mark.parametrize(("name", "now", "met", "paused", "state"), STATES)
def test_sla_state(name, now, met, paused, state):
    calendar, (due, moment) = setup(name, MONDAY_DUE, now)
    tz = CALENDARS[name][0]
    result = sla_state(
        due=due,
        warn_lead_minutes=60,
        now=moment,
        met_at=local(tz, met) if met else None,
        paused=paused,
        calendar=calendar,
    )
    assert result == state


def test_sla_states_are_strings():
    assert SlaState.AT_RISK == "at_risk"
    assert [s.value for s in SlaState] == ["on_track", "at_risk", "breached", "met", "paused"]


# --- calendars that never open, and bad input ---------------------------------------------


def _every_monday(start: date, years: int) -> list[date]:
    first = start + timedelta(days=(7 - start.weekday()) % 7)
    return [first + timedelta(weeks=w) for w in range(years * 53)]


NEVER_OPEN = Calendar(
    timezone="Europe/London",
    hours={"mon": "09:00-17:00"},
    closed_dates=_every_monday(date(2026, 1, 1), 6),  # its only day, closed for 6 years
)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda s: add_business_minutes(s, 60, NEVER_OPEN), id="add"),
        pytest.param(lambda s: due_at(s, 60, NEVER_OPEN), id="due_at"),
        pytest.param(lambda s: warn_at(s + timedelta(days=4 * 365), 60, NEVER_OPEN), id="warn"),
    ],
)
def test_a_calendar_that_never_opens_raises(call):
    with pytest.raises(ValueError, match="never opens"):
        call(datetime(2026, 1, 2, 12, tzinfo=UTC))


def test_naive_datetimes_are_refused():
    calendar, _ = setup("london")
    with pytest.raises(ValueError, match="timezone-aware"):
        add_business_minutes(datetime(2026, 6, 16, 10), 60, calendar)
