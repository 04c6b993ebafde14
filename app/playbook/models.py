"""The parts of a playbook, as pydantic models.

Each model checks only its own values (formats, ranges, time zones, holiday calendars).
Whether a handle, team or customer tier named here exists is checked across the whole
playbook in `app/playbook/checks.py`.
"""

import re
from typing import Annotated, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

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
