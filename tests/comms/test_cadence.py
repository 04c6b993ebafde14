"""The update cadence as timers of the clock: due one cadence after opening, a reminder
to the comms lead (else IC, else owner), overdue half a cadence later to the IC and the
manager, reset by posting; paused and resolved tickets owe nothing."""

from datetime import timedelta

from app import changes, incidents
from app.comms import cadence, updates
from app.errors import Invalid
from app.models import Status
from tests.sla.test_escalation import MON_0900, open_sev3, uid


def sev1(db, playbook):
    helen = uid(playbook, "helen.carter")  # an approver: declared at once, no gate
    ticket = open_sev3(
        db,
        playbook,
        severity=1,
        override_reason="drill",
        customer="acme-bank",
        title="Down",
        reporter_id=helen,
    )
    changes.record_opening(db, playbook, ticket, now=MON_0900)
    return ticket


def timers_of(db, playbook, ticket, now=MON_0900):
    return cadence.timers(db, playbook, [ticket], now=now)[ticket.id]


def test_a_sev1_owes_an_update_every_30_minutes_and_is_late_15_after(db, playbook):
    ticket = sev1(db, playbook)
    due = timers_of(db, playbook, ticket)
    assert due == {
        "update.due": MON_0900 + timedelta(minutes=30),
        "update.overdue": MON_0900 + timedelta(minutes=45),
    }


def test_the_reminder_goes_to_the_ic_then_overdue_to_ic_and_manager(db, playbook):
    ticket = sev1(db, playbook)
    priya, james = uid(playbook, "priya.shah"), uid(playbook, "james.whitfield")
    at = MON_0900 + timedelta(minutes=30)
    assert (
        cadence.act_on_due(db, playbook, ticket, now=at - timedelta(seconds=1), due=["update.due"])
        == []
    )
    [reminder] = cadence.act_on_due(db, playbook, ticket, now=at, due=["update.due"])
    assert reminder.kind == "update.reminder" and reminder.after["remind"] == [priya]
    assert "update.due" not in timers_of(db, playbook, ticket, at)  # fired: not again
    late = MON_0900 + timedelta(minutes=45)
    [overdue] = cadence.act_on_due(db, playbook, ticket, now=late, due=["update.overdue"])
    assert overdue.kind == "update.overdue" and overdue.after["remind"] == [priya, james]
    assert timers_of(db, playbook, ticket, late) == {}


def test_the_comms_lead_is_reminded_first(db, playbook):
    ticket = sev1(db, playbook)
    tom = uid(playbook, "tom.hughes")
    incidents.assign_role(
        db, playbook, ticket, role="comms", to=tom, by=uid(playbook, "priya.shah"), now=MON_0900
    )
    [reminder] = cadence.act_on_due(
        db, playbook, ticket, now=MON_0900 + timedelta(minutes=30), due=["update.due"]
    )
    assert reminder.after["remind"] == [tom]


def test_posting_resets_the_cadence(db, playbook):
    ticket = sev1(db, playbook)
    at = MON_0900 + timedelta(minutes=40)
    cadence.act_on_due(db, playbook, ticket, now=at, due=["update.due"])
    draft = updates.Draft(status="Mitigating", current_state="Failing over")
    updates.post(db, playbook, ticket, draft, by=uid(playbook, "priya.shah"), now=at)
    assert timers_of(db, playbook, ticket, at) == {
        "update.due": at + timedelta(minutes=30),
        "update.overdue": at + timedelta(minutes=45),
    }


def test_paused_and_resolved_tickets_owe_nothing(db, playbook):
    ticket = sev1(db, playbook)
    ticket.status = Status.WAITING
    assert timers_of(db, playbook, ticket) == {}
    draft = updates.Draft(current_state="x")
    try:
        updates.post(db, playbook, ticket, draft, by=uid(playbook, "priya.shah"), now=MON_0900)
    except Invalid as error:
        assert "no update is due" in str(error)
    else:
        raise AssertionError("a paused ticket took an update")
    ticket.status = Status.IN_PROGRESS  # resumed: due one cadence from now
    later = MON_0900 + timedelta(hours=2)
    assert timers_of(db, playbook, ticket, later)["update.due"] == later + timedelta(minutes=30)
    ticket.status = Status.RESOLVED
    assert timers_of(db, playbook, ticket, later) == {}


def test_a_business_hours_cadence_counts_business_minutes(db, playbook):
    # Sev3 at 17:00 on a Monday, Payments open 08:00-18:00: 480 business minutes later is
    # Tuesday 15:00 (1 h on Monday, 7 h on Tuesday from 08:00), London = UTC in November.
    at = MON_0900 + timedelta(hours=8)
    ticket = open_sev3(db, playbook, now=at)
    due = timers_of(db, playbook, ticket, at)["update.due"]
    assert due == at + timedelta(hours=22)
