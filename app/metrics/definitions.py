"""What each figure means, computed from tickets' timelines: pure, no database, no Slack.

Per ticket (from its timeline):
- first response: opened -> the first `acknowledged` or `handoff.accepted`, in minutes of
  elapsed time (what the customer waited);
- resolution: opened -> the last `resolved` not followed by a `reopened` (still open: none);
- within response target: False once the response clock breached, True once responded to
  without a breach, undecided (None) while neither;
- within resolution target: the same for the resolution clock and resolving;
- within targets (the weekly report's "within SLA"): False once either clock breached,
  True once resolved without a breach;
- escalated: at least one `escalated` (a tier climb, by hand or on a breach);
- handoffs: each `handoff.offered` is on time when the next handoff event after it is
  `handoff.accepted` or `handoff.settled`, late when it is `handoff.expired`, undecided
  while none follows;
- reopened: at least one `reopened`;
- rating: the last `rated` event's `after["rating"]` (1-5, the reporter's CSAT answer; a
  later answer replaces an earlier one), None when never rated.

A group's figures: tickets counted, median and 90th percentile of first response and of
resolution (linear interpolation between closest ranks, `statistics.quantiles` inclusive),
the share within each target among tickets where it is decided, the share escalated and
reopened among all, the share of decided handoffs on time, and CSAT: the share of rated
tickets rated 4 or 5 ("satisfied"), with the mean rating and how many were rated. Drill
tickets never count. A share with nothing to count is None (shown as "—"), never 0 %."""

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

RESPONDED = ("acknowledged", "handoff.accepted")
HANDOFF_DONE = ("handoff.accepted", "handoff.settled")


@dataclass(frozen=True)
class Event:
    kind: str
    at: datetime
    after: dict = field(default_factory=dict)


@dataclass(frozen=True)
class TicketFacts:
    severity: int
    team: str
    customer_tier: str | None
    opened_at: datetime
    events: tuple[Event, ...]  # in time order
    is_drill: bool = False


@dataclass(frozen=True)
class Figures:
    tickets: int
    first_response_median: float | None  # minutes
    first_response_p90: float | None
    resolution_median: float | None
    resolution_p90: float | None
    response_within: float | None  # share, 0..1
    resolution_within: float | None
    escalation_rate: float | None
    handoffs_on_time: float | None
    reopen_rate: float | None
    within_sla: float | None = None  # share within both targets (within_targets)
    csat: float | None = None  # share of rated tickets rated 4 or 5
    rating_mean: float | None = None
    rated: int = 0


def minutes(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 60


def first_response(t: TicketFacts) -> float | None:
    at = next((e.at for e in t.events if e.kind in RESPONDED), None)
    return minutes(t.opened_at, at) if at else None


def resolution(t: TicketFacts) -> float | None:
    last = None
    for e in t.events:
        if e.kind == "resolved":
            last = e.at
        elif e.kind == "reopened":
            last = None
    return minutes(t.opened_at, last) if last else None


def breached(t: TicketFacts, clock: str) -> bool:
    return any(e.kind == "sla.breached" and e.after.get("clock") == clock for e in t.events)


def within(missed: bool, done: bool) -> bool | None:
    """A target is missed once breached, kept once done without a breach, else undecided."""
    return False if missed else (True if done else None)


def response_within(t: TicketFacts) -> bool | None:
    return within(breached(t, "response"), first_response(t) is not None)


def resolution_within(t: TicketFacts) -> bool | None:
    return within(breached(t, "resolution"), resolution(t) is not None)


def within_targets(t: TicketFacts) -> bool | None:
    """Within SLA (the weekly report's figure): False once either clock breached, True once
    resolved without a breach, undecided while neither."""
    missed = breached(t, "response") or breached(t, "resolution")
    return within(missed, resolution(t) is not None)


def handoffs(t: TicketFacts) -> list[bool]:
    """On time (True) or late (False) for each decided handoff offer, in order."""
    decided, offered = [], False
    for e in t.events:
        if e.kind == "handoff.offered":
            offered = True
        elif offered and e.kind in (*HANDOFF_DONE, "handoff.expired"):
            decided.append(e.kind in HANDOFF_DONE)
            offered = False
    return decided


def rating(t: TicketFacts) -> int | None:
    found = [e.after.get("rating") for e in t.events if e.kind == "rated"]
    return found[-1] if found and isinstance(found[-1], int) else None


def _share(values: Iterable[bool | None]) -> float | None:
    decided = [v for v in values if v is not None]
    return sum(decided) / len(decided) if decided else None


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _p90(values: list[float]) -> float | None:
    if len(values) < 2:
        return values[0] if values else None
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


class Outcome(NamedTuple):
    """One ticket's figures, from its timeline (`outcome`) or read straight from the
    database (app/metrics/queries.py, the same definitions in SQL). A tuple: there may be
    a hundred thousand of them."""

    severity: int
    team: str
    customer_tier: str | None
    first_response: float | None
    resolution: float | None
    response_within: bool | None
    resolution_within: bool | None
    within_targets: bool | None
    escalated: bool
    reopened: bool
    handoffs: tuple[bool, ...]
    rating: int | None
    is_drill: bool = False
    opened_at: datetime | None = None


def outcome(t: TicketFacts) -> Outcome:
    return Outcome(
        t.severity,
        t.team,
        t.customer_tier,
        first_response(t),
        resolution(t),
        response_within(t),
        resolution_within(t),
        within_targets(t),
        any(e.kind == "escalated" for e in t.events),
        any(e.kind == "reopened" for e in t.events),
        tuple(handoffs(t)),
        rating(t),
        t.is_drill,
        t.opened_at,
    )


def _outcomes(tickets: Iterable[TicketFacts | Outcome]) -> list[Outcome]:
    """Drills left out."""
    found = (t if isinstance(t, Outcome) else outcome(t) for t in tickets)
    return [o for o in found if not o.is_drill]


def figures(tickets: Iterable[TicketFacts | Outcome]) -> Figures:
    real = _outcomes(tickets)
    responses = [o.first_response for o in real if o.first_response is not None]
    resolutions = [o.resolution for o in real if o.resolution is not None]
    ratings = [o.rating for o in real if o.rating is not None]
    return Figures(
        tickets=len(real),
        first_response_median=_median(responses),
        first_response_p90=_p90(responses),
        resolution_median=_median(resolutions),
        resolution_p90=_p90(resolutions),
        response_within=_share(o.response_within for o in real),
        resolution_within=_share(o.resolution_within for o in real),
        escalation_rate=_share(o.escalated for o in real),
        handoffs_on_time=_share(v for o in real for v in o.handoffs),
        reopen_rate=_share(o.reopened for o in real),
        within_sla=_share(o.within_targets for o in real),
        csat=_share(r >= 4 for r in ratings),
        rating_mean=statistics.fmean(ratings) if ratings else None,
        rated=len(ratings),
    )


GROUPS = ("severity", "team", "customer_tier")


def figures_by(tickets: Iterable[TicketFacts | Outcome], group: str) -> dict[object, Figures]:
    """Figures per severity, team or customer tier (drills left out first)."""
    if group not in GROUPS:
        raise KeyError(group)
    grouped: dict[object, list[Outcome]] = {}
    for o in _outcomes(tickets):
        grouped.setdefault(getattr(o, group), []).append(o)
    return {k: figures(v) for k, v in grouped.items()}
