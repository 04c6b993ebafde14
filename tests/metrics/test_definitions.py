"""Every figure from a hand-built set of timelines, each computed by hand below."""

from datetime import UTC, datetime

import pytest

from app.metrics.definitions import (
    Event,
    Figures,
    TicketFacts,
    figures,
    figures_by,
    handoffs,
    within_targets,
)


def at(hhmm: str) -> datetime:
    return datetime(2026, 11, 23, int(hhmm[:2]), int(hhmm[3:]), tzinfo=UTC)


def ticket(severity, team, tier, opened, *events, drill=False):
    timeline = tuple(Event(kind, at(when), *after) for kind, when, *after in events)
    return TicketFacts(severity, team, tier, at(opened), timeline, is_drill=drill)


def breach(clock):
    return {"clock": clock}


TICKETS = [
    # T1: responded in 10, resolved in 120, nothing else.
    ticket(1, "payments", "strategic", "09:00", ("acknowledged", "09:10"), ("resolved", "11:00")),
    # T2: response breached; climbed; first handoff expired (late), second accepted (on time,
    # and the first response: 40); resolved in 240.
    ticket(
        1,
        "payments",
        "standard",
        "09:00",
        ("sla.breached", "09:15", breach("response")),
        ("escalated", "09:15"),
        ("handoff.offered", "09:15"),
        ("handoff.expired", "09:30"),
        ("handoff.offered", "09:30"),
        ("handoff.accepted", "09:40"),
        ("resolved", "13:00"),
    ),
    # T3: responded in 30; resolved, reopened, resolved again: resolution 240, reopened.
    ticket(
        2,
        "identity",
        "strategic",
        "10:00",
        ("acknowledged", "10:30"),
        ("resolved", "12:00"),
        ("reopened", "12:30"),
        ("resolved", "14:00"),
    ),
    # T4: responded in 5; climbed, its handoff settled (on time); resolution breached, open.
    ticket(
        2,
        "identity",
        None,
        "10:00",
        ("acknowledged", "10:05"),
        ("escalated", "12:00"),
        ("handoff.offered", "12:00"),
        ("handoff.settled", "12:10"),
        ("sla.breached", "18:00", breach("resolution")),
    ),
    # T5: a drill: never counted.
    ticket(1, "payments", "strategic", "09:00", ("acknowledged", "09:01"), drill=True),
    # T6: open, nobody has responded: counted, but decides no share but escalation/reopen.
    ticket(1, "payments", None, "09:00"),
]


def test_all_tickets():
    # responses [10, 40, 30, 5] -> sorted [5, 10, 30, 40]: median 20; p90 at rank 2.7: 30 + 0.7 * 10
    # resolutions [120, 240, 240]: median 240; p90 at rank 1.8: 240
    # response within: T1 yes, T2 no, T3 yes, T4 yes (T6 undecided) -> 3/4
    # resolution within: T1, T2, T3 yes, T4 no (T6 undecided) -> 3/4
    # escalated: T2, T4 of 5; handoffs on time: T2 no, yes; T4 yes -> 2/3; reopened: T3 of 5
    # within both targets: T1, T3 yes; T2, T4 no (T6 undecided) -> 2/4
    assert figures(TICKETS) == Figures(5, 20, 37, 240, 240, 0.75, 0.75, 0.4, 2 / 3, 0.2, 0.5)


def test_by_severity():
    by = figures_by(TICKETS, "severity")
    # Sev1 (T1, T2, T6): responses [10, 40]: median 25, p90 10 + 0.9 * 30 = 37; resolutions
    # [120, 240]: median 180, p90 120 + 0.9 * 120 = 228; response within 1/2; resolution 2/2;
    # escalated 1/3; handoffs 1/2; reopened 0/3; within both: T1 yes, T2 no -> 1/2.
    assert by[1] == Figures(3, 25, 37, 180, 228, 0.5, 1.0, 1 / 3, 0.5, 0.0, 0.5)
    # Sev2 (T3, T4): responses [30, 5]: median 17.5, p90 5 + 0.9 * 25 = 27.5; resolution
    # [240]; response within 2/2; resolution 1/2; escalated 1/2; handoffs 1/1; reopened 1/2;
    # within both: T3 yes, T4 no -> 1/2.
    assert by[2] == Figures(2, 17.5, 27.5, 240, 240, 1.0, 0.5, 0.5, 1.0, 0.5, 0.5)


def test_by_team_and_customer_tier():
    assert figures_by(TICKETS, "team")["identity"] == figures_by(TICKETS, "severity")[2]
    tiers = figures_by(TICKETS, "customer_tier")
    assert set(tiers) == {"strategic", "standard", None}  # the drill adds no group
    # strategic (T1, T3): responses [10, 30]: median 20, p90 28; resolutions [120, 240]
    assert tiers["strategic"] == Figures(2, 20, 28, 180, 228, 1.0, 1.0, 0.0, None, 0.5, 1.0)


def test_nothing_to_count_is_no_figure_not_zero():
    empty = figures([ticket(3, "payments", None, "09:00")])
    assert empty.tickets == 1 and empty.first_response_median is None
    assert (empty.response_within, empty.handoffs_on_time) == (None, None)
    assert figures([]).tickets == 0 and figures([]).escalation_rate is None


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ((("handoff.offered", "09:00"),), []),  # undecided
        ((("handoff.offered", "09:00"), ("handoff.accepted", "09:05")), [True]),
        ((("handoff.offered", "09:00"), ("handoff.expired", "09:15")), [False]),
        ((("handoff.accepted", "09:05"),), []),  # no offer before it
    ],
)
def test_handoffs_are_decided_by_what_follows_the_offer(events, expected):
    assert handoffs(ticket(2, "payments", None, "08:00", *events)) == expected


def rated(when, value, comment=""):
    return ("rated", when, {"rating": value, "comment": comment})


def test_csat_counts_each_tickets_last_rating():
    rated_tickets = [
        # rated 2, then changed their mind: 5 counts (satisfied)
        ticket(
            2,
            "payments",
            None,
            "09:00",
            ("resolved", "10:00"),
            rated("10:30", 2),
            rated("11:00", 5),
        ),
        ticket(2, "payments", None, "09:00", ("resolved", "10:00"), rated("10:30", 4)),  # satisfied
        ticket(2, "payments", None, "09:00", ("resolved", "10:00"), rated("10:30", 3)),  # not
        ticket(2, "payments", None, "09:00", ("resolved", "10:00")),  # never rated: not counted
        ticket(2, "payments", None, "09:00", rated("10:30", 1), drill=True),  # a drill: never
    ]
    result = figures(rated_tickets)
    # ratings [5, 4, 3]: 2 of 3 satisfied; mean 12 / 3 = 4
    assert (result.csat, result.rating_mean, result.rated) == (2 / 3, 4.0, 3)
    assert figures(TICKETS).csat is None and figures(TICKETS).rated == 0


def test_within_targets_needs_both_clocks_kept():
    # T1 resolved, no breach: yes; T2 response breached: no; T3 resolved twice, no breach: yes;
    # T4 resolution breached: no; T5 a drill; T6 open, no breach: undecided -> 2 of 4
    assert [within_targets(t) for t in TICKETS] == [True, False, True, False, None, None]
    assert figures(TICKETS).within_sla == 0.5
