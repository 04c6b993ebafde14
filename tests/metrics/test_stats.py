"""The figures read from the database are the definitions' figures of the same timelines;
`/esc stats` and App Home show them to whom they may."""

from datetime import timedelta

import pytest

from app.errors import Forbidden, Invalid
from app.metrics import stats
from app.metrics.definitions import TicketFacts, figures, figures_by, outcome
from app.metrics.queries import outcomes
from tests.metrics.storing import store
from tests.metrics.test_definitions import TICKETS, at, rated, ticket

START, END = at("00:00"), at("00:00") + timedelta(days=1)


def test_figures_from_the_database_are_those_of_the_hand_built_timelines(fresh):
    late = TicketFacts(3, "payments", None, END + timedelta(hours=1), ())  # after the period
    store(fresh, [*TICKETS, late])
    with fresh() as db:
        found = stats.compute(db, START, END)
        identity = stats.compute(db, START, END, team="identity")
        found_outcomes = outcomes(db, START, END)
    # Each ticket's outcome in SQL is the definitions' (the drill and the late ticket left out).
    assert found_outcomes == [outcome(t) for t in TICKETS if not t.is_drill]
    assert found.overall == figures(TICKETS)
    assert found.by["severity"] == figures_by(TICKETS, "severity")
    assert found.by["customer_tier"] == figures_by(TICKETS, "customer_tier")
    assert identity.overall == figures_by(TICKETS, "team")["identity"]


def test_ratings_breach_clocks_and_reopens_come_back_from_the_database(fresh):
    tickets = [
        ticket(
            2,
            "payments",
            None,
            "09:00",
            ("resolved", "10:00"),
            rated("11:00", 2),
            rated("11:30", 5),
        ),
        ticket(2, "payments", None, "09:00", ("sla.breached", "09:30", {"clock": "response"})),
        ticket(3, "identity", "standard", "09:00", ("resolved", "10:00"), ("reopened", "10:30")),
        ticket(
            3,
            "identity",
            "standard",
            "09:00",
            ("acknowledged", "09:05"),
            ("resolved", "09:30"),
            ("sla.breached", "09:40", {"clock": "resolution"}),
            ("reopened", "10:00"),
            ("resolved", "10:30"),
            ("escalated", "10:40"),
        ),
    ]
    store(fresh, tickets)
    with fresh() as db:
        assert outcomes(db, START, END) == [outcome(t) for t in tickets]
        assert stats.compute(db, START, END).overall == figures(tickets)


@pytest.mark.parametrize(
    ("text", "days"), [("7d", 7), ("30D", 30), ("12w", 84), ("week", 7), ("366d", 366)]
)
def test_periods(text, days):
    assert stats.parse_period(text) == timedelta(days=days)


@pytest.mark.parametrize("text", ["0d", "367d", "53w", "month", "7", "-7d"])
def test_a_bad_period_says_what_to_type(text):
    with pytest.raises(Invalid, match="is not a period: use days or weeks such as `7d`"):
        stats.parse_period(text)


def test_who_sees_which_team(playbook):
    uid = lambda handle: playbook.people[handle].slack_id  # noqa: E731
    agent, outsider = uid("amara.okafor"), uid("wei.lim")
    assert stats.choose_team(playbook, agent, None) == "payments"  # their own team by default
    assert stats.choose_team(playbook, agent, "payments") == "payments"
    with pytest.raises(Forbidden):
        stats.choose_team(playbook, agent, "identity")
    with pytest.raises(Forbidden):
        stats.choose_team(playbook, agent, "all")
    assert stats.choose_team(playbook, outsider, None) == "identity"
    # Managers, approvers, executives and admins see every team, and all of them together.
    for lead in ("james.whitfield", "helen.carter", "fatima.haddad"):
        assert stats.choose_team(playbook, uid(lead), None) is None
        assert stats.choose_team(playbook, uid(lead), "identity") == "identity"
    with pytest.raises(Invalid, match="There is no team `nope`. Teams: `payments`"):
        stats.choose_team(playbook, agent, "nope")


@pytest.mark.parametrize(
    ("minutes", "shown"),
    [
        (None, "—"),
        (0.4, "0m"),
        (45, "45m"),
        (60, "1h"),
        (200, "3h 20m"),
        (1440, "1d"),
        (3000, "2d 2h"),
    ],
)
def test_durations_read_like_people_write_them(minutes, shown):
    assert stats.duration(minutes) == shown


def test_shares_read_as_percentages():
    assert (stats.percent(None), stats.percent(0.0), stats.percent(2 / 3)) == ("—", "0%", "67%")


def test_a_period_without_tickets_has_no_figures_not_an_error(fresh):
    with fresh() as db:
        found = stats.compute(db, START, END)
    assert found.overall == figures([]) and found.by == {g: {} for g in found.by}
