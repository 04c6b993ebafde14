"""The weekly report: when it is due, that it goes once per slot whoever asks, what it says,
and that the chart reaches the channel through Slack's external upload flow."""

from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from app import clock
from app.drills.workspace import seed_workspace
from app.effects import report_effects
from app.metrics.definitions import Event, TicketFacts, figures, figures_by
from app.models import OutboxMessage
from app.playbook import load_playbook
from app.playbook.models import Reporting
from app.reports import weekly
from app.runtime import Relay
from app.simulator import SlackSimulator
from blocks.reports import report_text
from tests.conftest import PLAYBOOK
from tests.metrics.storing import store
from tests.metrics.test_definitions import TICKETS
from tests.test_clock import Clock

LEADERS = "C0LEADERS01"
REPORTING = Reporting(channel=LEADERS, weekday="mon", time="09:00", timezone="Europe/London")
SLOT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Monday 09:00 in London (GMT)
SECRET = "xoxb-123456789012-123456789012-abcdefghijklmnopqrstuvwx"


@pytest.mark.parametrize(
    ("now", "slot"),
    [
        (SLOT, SLOT),
        (SLOT - timedelta(minutes=1), SLOT - timedelta(days=7)),
        (SLOT + timedelta(days=6, hours=23), SLOT),  # Sunday night: still this Monday's
        # Summer time: Monday 09:00 in London is 08:00 UTC.
        (datetime(2026, 7, 8, 12, 0, tzinfo=UTC), datetime(2026, 7, 6, 8, 0, tzinfo=UTC)),
    ],
)
def test_the_last_slot_is_the_weekday_and_time_in_the_zone(now, slot):
    assert weekly.last_slot(REPORTING, now) == slot


def week_of_tickets() -> list[TicketFacts]:
    """Last week: a Sev1 resolved in time, a Sev2 whose resolution was missed by 3 hours
    (its title holds a token); three weeks before: a Sev3 in time."""

    def at(days_before, hours):
        return SLOT - timedelta(days=days_before) + timedelta(hours=hours)

    return [
        TicketFacts(1, "payments", "strategic", at(3, 0), (Event("resolved", at(3, 1)),)),
        TicketFacts(
            2,
            "identity",
            None,
            at(2, 0),
            (
                Event("sla.breached", at(2, 4), {"clock": "resolution"}),
                Event("resolved", at(2, 7)),
            ),
        ),
        TicketFacts(3, "payments", None, at(20, 0), (Event("resolved", at(20, 2)),)),
    ]


def stored_week(fresh):
    keys = store(fresh, week_of_tickets(), titles={1: f"Login fails, token {SECRET}"})
    with fresh() as db, db.begin():
        from app.models import Ticket

        missed = db.scalar(select(Ticket).where(Ticket.key == keys[1]))
        missed.resolution_breached = True
        missed.resolution_due_at = SLOT - timedelta(days=2, hours=-4)
    return keys


def test_the_report_has_the_weeks_last_weeks_figures_and_worst_breaches(fresh, playbook):
    keys = stored_week(fresh)
    with fresh() as db:
        report = weekly.build(db, end=SLOT, weeks=4, worst=5)
    # weeks from 2 Nov: the Sev3 in the week of 9 Nov, the Sev1 and Sev2 in the last one
    assert [sum(f.tickets for f in by.values()) for by in report.by_week] == [0, 1, 0, 2]
    assert report.by_week[-1][1].within_sla == 1.0 and report.by_week[-1][2].within_sla == 0.0
    assert report.summary.overall.tickets == 2
    [breach] = report.breaches
    assert (breach.key, breach.clock, breach.late_minutes) == (keys[1], "resolution", 180)
    text = report_text(report, playbook)
    assert f"• {keys[1]} Sev2 Login fails, token [redacted: Slack token] (Identity)" in text
    assert SECRET not in text and "resolution 3h late" in text


def test_the_reports_figures_are_the_definitions_of_the_same_timelines(fresh):
    """Each week's figures by severity and the summary's (here the last two weeks), computed
    by the database on PostgreSQL and by the definitions elsewhere, are the definitions' own."""
    tickets = [*TICKETS, *week_of_tickets()]  # TICKETS: Monday 23 Nov, the last week's start
    store(fresh, tickets)
    with fresh() as db:
        report = weekly.build(db, end=SLOT, weeks=4, worst=5, summary_weeks=2)
    starts = [SLOT - (4 - i) * timedelta(days=7) for i in range(4)]
    for start, by in zip(starts, report.by_week, strict=True):
        in_week = [t for t in tickets if start <= t.opened_at < start + timedelta(days=7)]
        assert by == figures_by(in_week, "severity")
    recent = [t for t in tickets if t.opened_at >= starts[2]]
    assert report.summary.overall == figures(recent) and report.summary.overall.tickets == 7
    for group in ("severity", "team", "customer_tier"):
        assert report.summary.by[group] == figures_by(recent, group)


def reporting_relay(fresh, playbook, sim, now, *, drill=False) -> Relay:
    client = WebClient(token=sim.bot_token, base_url=sim.api_url, retry_handlers=[])  # as Relay's
    book = playbook.model_copy(update={"reporting": REPORTING})
    return Relay(book, fresh, client, now=Clock(now), drill=drill)


@pytest.fixture
def sim(playbook):
    with SlackSimulator(signing_secret="reports") as sim:
        seed_workspace(sim, playbook)  # with the reporting channel, LEADERS
        yield sim


def test_the_clock_posts_the_report_with_its_chart_once_per_slot(fresh, playbook, sim):
    stored_week(fresh)
    first = reporting_relay(fresh, playbook, sim, SLOT + timedelta(minutes=1))
    clock.tick(first)
    clock.tick(first)
    clock.tick(reporting_relay(fresh, playbook, sim, SLOT + timedelta(minutes=2)))  # another clock
    [message] = sim.ws.channels[LEADERS].messages.values()
    assert message["text"].startswith("*Weekly escalation report*, 23 Nov – 30 Nov 2026")
    assert SECRET not in message["text"]
    [shared] = message["files"]
    assert sim.ws.uploads[shared["id"]]["data"].startswith(b"\x89PNG\r\n\x1a\n")
    calls = [c.method for c in sim.ws.calls]
    assert calls.count("files.getUploadURLExternal") == 1
    assert calls.count("files.completeUploadExternal") == 1
    with fresh() as db:
        [row] = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == weekly.KIND))
    assert row.status == "sent" and row.idem_key == f"report.weekly:{SLOT.isoformat()}"


def test_a_report_whose_answer_was_lost_is_not_posted_twice(fresh, playbook, sim):
    stored_week(fresh)
    relay = reporting_relay(fresh, playbook, sim, SLOT + timedelta(minutes=1))
    # Slack shares the chart in the channel, then the connection drops before it answers.
    sim.faults.inject("files.completeUploadExternal", "lost")
    clock.tick(relay)
    assert len(sim.ws.channels[LEADERS].messages) == 1
    relay.now.value += timedelta(minutes=1)  # the retry's back-off has passed
    clock.tick(relay)
    [message] = sim.ws.channels[LEADERS].messages.values()
    calls = [c.method for c in sim.ws.calls]
    assert calls.count("files.completeUploadExternal") == 1
    assert calls.count("files.getUploadURLExternal") == 1  # found, not uploaded again
    with fresh() as db:
        [row] = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == weekly.KIND))
    assert row.status == "sent" and row.result["files"] == [message["files"][0]["id"]]


def test_no_report_long_after_its_slot_in_a_drill_or_without_a_reporting_section(
    fresh, playbook, sim
):
    late = reporting_relay(fresh, playbook, sim, SLOT + weekly.GRACE + timedelta(minutes=1))
    assert report_effects.enqueue_due(late) is False  # the clock was down: last week's news
    drill = reporting_relay(fresh, playbook, sim, SLOT, drill=True)
    assert report_effects.enqueue_due(drill) is False
    without = playbook.model_copy(update={"reporting": None})
    assert report_effects.enqueue_due(Relay(without, fresh, drill.client, now=Clock(SLOT))) is False
    assert report_effects.enqueue_due(reporting_relay(fresh, playbook, sim, SLOT)) is True


def test_the_shipped_playbook_posts_the_report_on_monday_morning_in_london():
    reporting = load_playbook(PLAYBOOK).reporting
    assert reporting == REPORTING.model_copy(update={"weeks": 8, "worst_breaches": 5})
