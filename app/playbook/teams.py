"""A team in the playbook: its queue channel, tier owners, runbooks and business-hours
calendar (opening hours, public holidays, closed dates)."""

import re
from datetime import date, time
from typing import Annotated
from zoneinfo import ZoneInfo

from holidays import HolidayBase
from pydantic import AfterValidator, PrivateAttr, ValidationInfo, field_validator

from app.playbook import public_holidays
from app.playbook.models import (
    TIER_LEVELS,
    WEEKDAYS,
    ChannelId,
    ChannelName,
    PlaybookModel,
    Text,
    TierLevel,
    TimeZoneName,
    Weekday,
)


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


OpeningHours = Annotated[str, AfterValidator(_check_hours)]
HttpsUrl = Annotated[str, AfterValidator(_check_https)]


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
