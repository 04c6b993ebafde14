"""The parts of a playbook, as pydantic models.

Each model checks only its own values (formats, ranges, time zones, holiday calendars).
Whether a handle, team or customer tier named here exists is checked across the whole
playbook in `app/playbook/checks.py`.
"""

import re
from datetime import date, time
from typing import Annotated, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from holidays import HolidayBase
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from app.playbook import public_holidays

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
TierLevel = Literal["L1", "L2", "L3"]
WEEKDAYS: tuple[str, ...] = get_args(Weekday)
TIER_LEVELS: tuple[str, ...] = get_args(TierLevel)


def _matching(pattern: str, description: str) -> AfterValidator:
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(f"{value!r} is not {description}")
        return value

    return AfterValidator(check)


def _check_time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r} (use an IANA name such as 'Europe/London')"
        ) from None
    return name


def _parse_hours(text: str) -> tuple[time, time]:
    start_text, _, end_text = text.partition("-")
    start, end = time.fromisoformat(start_text.strip()), time.fromisoformat(end_text.strip())
    return start, end


def _check_hours(text: str) -> str:
    if not re.fullmatch(r"\d\d:\d\d\s*-\s*\d\d:\d\d", text):
        raise ValueError(f"{text!r} is not opening hours like '09:00-17:30'")
    try:
        start, end = _parse_hours(text)
    except ValueError:
        raise ValueError(f"{text!r} has an impossible time (use 00:00 to 23:59)") from None
    if start >= end:
        raise ValueError(f"{text!r}: opening time must be before closing time")
    return text


def _check_https(url: str) -> str:
    if not re.fullmatch(r"https://[^\s/]+\.[^\s/]+(/\S*)?", url):
        raise ValueError(f"{url!r} is not an https:// link")
    return url


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Handle = Annotated[
    str, _matching(r"[a-z0-9][a-z0-9._-]*", "a handle (lowercase letters, digits, '.', '_', '-')")
]
TeamKey = Annotated[str, _matching(r"[a-z0-9-]+", "a team key (lowercase letters, digits, '-')")]
UserId = Annotated[str, _matching(r"[UW][A-Z0-9]{8,}", "a Slack user id like 'U012AB3CDE4'")]
GroupId = Annotated[str, _matching(r"S[A-Z0-9]{8,}", "a Slack user group id like 'S012AB3CDE4'")]
ChannelId = Annotated[str, _matching(r"C[A-Z0-9]{8,}", "a Slack channel id like 'C012AB3CDE4'")]
ChannelName = Annotated[
    str,
    _matching(
        r"[a-z0-9_-]{1,80}",
        "a Slack channel name (lowercase letters, digits, '-', '_'; at most 80; no '#')",
    ),
]
Email = Annotated[str, _matching(r"[^@\s]+@[^@\s]+\.[^@\s]+", "an e-mail address")]
TimeZoneName = Annotated[str, AfterValidator(_check_time_zone)]
OpeningHours = Annotated[str, AfterValidator(_check_hours)]
HttpsUrl = Annotated[str, AfterValidator(_check_https)]
Minutes = Annotated[int, Field(gt=0)]


class PlaybookModel(BaseModel):
    """Strict about unknown keys, so a typo in the YAML is reported instead of ignored."""

    model_config = ConfigDict(extra="forbid")


class Person(PlaybookModel):
    slack_id: UserId
    name: Text
    email: Email | None = None
    tz: TimeZoneName


class Group(PlaybookModel):
    slack_id: GroupId
    name: Text
    members: list[str] = Field(min_length=1)


class SeverityActions(PlaybookModel):
    war_room: bool = False
    swarm: bool = False
    exec_briefing: bool = False
    approval_gate: bool = False
    page_primary: bool = False

    @model_validator(mode="after")
    def _one_channel(self) -> "SeverityActions":
        if self.war_room and self.swarm:
            raise ValueError("war_room and swarm exclude each other (a ticket gets one channel)")
        return self


class Severity(PlaybookModel):
    name: Text
    definition: Text
    response_minutes: Minutes
    resolution_minutes: Minutes
    warning_lead_minutes: Annotated[int, Field(ge=0)]
    update_cadence_minutes: Minutes
    calendar: Literal["24x7", "business_hours"]
    # How long a handoff may wait for acceptance before it goes to the tier's secondary,
    # then to the team manager (elapsed minutes).
    handoff_minutes: Minutes = 15
    # How often the manager is told again while a ticket at L3 keeps breaching.
    manager_renotify_minutes: Minutes = 60
    # How long an approver has to answer an approval gate before the next is asked (and,
    # after the last, it is approved automatically).
    approval_minutes: Minutes = 15
    actions: SeverityActions = SeverityActions()

    @field_validator("resolution_minutes")
    @classmethod
    def _resolution_after_response(cls, value: int, info: ValidationInfo) -> int:
        response = info.data.get("response_minutes")
        if response is not None and value < response:
            raise ValueError(f"must be at least response_minutes ({response})")
        return value

    @field_validator("warning_lead_minutes")
    @classmethod
    def _warning_before_response(cls, value: int, info: ValidationInfo) -> int:
        response = info.data.get("response_minutes")
        if response is not None and value >= response:
            raise ValueError(f"must be less than response_minutes ({response})")
        return value


class CustomerTier(PlaybookModel):
    name: Text
    response_factor: Annotated[float, Field(gt=0)] = 1.0
    resolution_factor: Annotated[float, Field(gt=0)] = 1.0


class HolidayCalendar(PlaybookModel):
    country: str
    subdiv: str | None = None

    @field_validator("country")
    @classmethod
    def _known_country(cls, country: str) -> str:
        if country not in public_holidays.countries():
            raise ValueError(f"unknown holiday country {country!r} (use an ISO code such as 'GB')")
        return country

    @field_validator("subdiv")
    @classmethod
    def _known_subdivision(cls, subdiv: str | None, info: ValidationInfo) -> str | None:
        country = info.data.get("country")
        if subdiv is None or country is None:
            return subdiv
        try:
            public_holidays.calendar(country, subdiv=subdiv)
        except NotImplementedError:
            known = public_holidays.subdivisions(country)
            listed = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
            raise ValueError(
                f"unknown subdivision {subdiv!r} for {country} (known: {listed or 'none'})"
            ) from None
        return subdiv


class Calendar(PlaybookModel):
    """A team's business hours. Closed weekdays are simply left out of `hours`."""

    timezone: TimeZoneName
    hours: dict[Weekday, OpeningHours]
    holidays: HolidayCalendar | None = None
    closed_dates: list[date] = []
    _holiday_days: HolidayBase | None = PrivateAttr(default=None)

    @field_validator("hours")
    @classmethod
    def _open_some_day(cls, hours: dict[str, str]) -> dict[str, str]:
        if not hours:
            raise ValueError("a business-hours calendar needs at least one open day")
        return hours

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_holiday(self, day: date) -> bool:
        if self.holidays is None:
            return False
        if self._holiday_days is None:
            self._holiday_days = public_holidays.calendar(
                self.holidays.country, subdiv=self.holidays.subdiv
            )
        return day in self._holiday_days

    def opening_hours(self, day: date) -> tuple[time, time] | None:
        """(opens, closes) in the calendar's time zone, or None when closed all day."""
        text = self.hours.get(WEEKDAYS[day.weekday()])
        if text is None or day in self.closed_dates or self.is_holiday(day):
            return None
        return _parse_hours(text)


class Runbook(PlaybookModel):
    title: Text
    url: HttpsUrl


class TierOwners(PlaybookModel):
    primary: str
    secondary: str


class Team(PlaybookModel):
    name: Text
    queue_channel: ChannelId
    queue_channel_name: ChannelName
    tiers: dict[TierLevel, TierOwners]
    manager: str
    members: list[str] = []
    calendar: Calendar
    runbooks: list[Runbook] = []
    keywords: list[Text] = []

    @field_validator("tiers")
    @classmethod
    def _all_tiers(cls, tiers: dict[str, TierOwners]) -> dict[str, TierOwners]:
        missing = [level for level in TIER_LEVELS if level not in tiers]
        if missing:
            raise ValueError(f"missing {', '.join(missing)} (every team needs L1, L2 and L3)")
        return {level: tiers[level] for level in TIER_LEVELS}


class Customer(PlaybookModel):
    name: Text
    tier: str
    exec_sponsor: str | None = None
    channel: ChannelId | None = None


class Raci(PlaybookModel):
    responsible: list[str] = Field(min_length=1)
    accountable: list[str] = Field(min_length=1)
    consulted: list[str] = []
    informed: list[str] = []


class EscalationType(PlaybookModel):
    name: Text
    confidential: bool = False
    requires_approval: bool = False
    raci: Raci


class ClassificationRule(PlaybookModel):
    name: Text
    severity: Annotated[int, Field(ge=1, le=4)]
    keywords: list[Text] = []
    teams: list[str] = []
    impact: list[Text] = []

    @model_validator(mode="after")
    def _has_a_condition(self) -> "ClassificationRule":
        if not (self.keywords or self.teams or self.impact):
            raise ValueError("a rule needs at least one of keywords, teams or impact")
        return self


class Roles(PlaybookModel):
    admins: list[str] = []
    ic_eligible: list[str] = []
    approvers: list[str] = []
    executives: list[str] = []


class Incidents(PlaybookModel):
    """War rooms and swarm channels (app/incidents/)."""

    # A resolved ticket's channel is archived this long after resolution.
    archive_after_hours: Annotated[int, Field(ge=1, le=24 * 90)] = 72


def _check_clock_time(value: str) -> str:
    match = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)", value)
    if not match:
        raise ValueError(f"{value!r} is not a time of day like '09:00' (24-hour HH:MM)")
    return value


class Reporting(PlaybookModel):
    """The weekly report (app/reports/weekly.py): where and when it is posted, what it covers."""

    channel: ChannelId
    weekday: Weekday = "mon"
    time: Annotated[str, AfterValidator(_check_clock_time)] = "09:00"
    timezone: TimeZoneName = "UTC"
    weeks: Annotated[int, Field(ge=1, le=26)] = 8  # weeks the chart shows, the last one reported
    worst_breaches: Annotated[int, Field(ge=0, le=20)] = 5
