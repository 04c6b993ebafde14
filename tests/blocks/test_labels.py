"""An unowned ticket never reads "In progress"."""

from app.models import Status
from blocks.labels import due_time, owner_label, status_label
from tests.blocks.test_card import NOW, make_ticket
from tests.sla.test_people import edited


def test_unowned_reads_open_or_awaiting_acceptance(playbook):
    ticket = make_ticket(playbook, status=Status.IN_PROGRESS, owner_id=None, tier="L2")
    assert (status_label(ticket), owner_label(ticket, playbook)) == ("Open, unowned", "unassigned")
    ticket.handoff_to = "platform-oncall"
    assert status_label(ticket) == "Awaiting acceptance at L2"
    assert owner_label(ticket, playbook) == "unassigned — offered to Platform on-call"
    ticket.handoff_to = "priya.shah"
    assert owner_label(ticket, playbook) == "unassigned — offered to <@U0WP1SYY08E>"
    ticket.status = Status.WAITING
    assert status_label(ticket) == "Waiting on customer"


def test_owned_reads_its_status_and_owner(playbook):
    ticket = make_ticket(playbook, status=Status.IN_PROGRESS, owner_id="U0WP1SYY08E")
    ticket.handoff_to = "lukas.becker"
    assert (status_label(ticket), owner_label(ticket, playbook)) == (
        "In progress",
        "<@U0WP1SYY08E>",
    )


def test_someone_removed_from_the_playbook_reads_from_the_snapshot(playbook):
    ticket = make_ticket(playbook, status=Status.OPEN, tier="L2", handoff_to="priya.shah")
    without_priya = edited(without="priya.shah", instead="sofia.marin")
    assert owner_label(ticket, without_priya) == "unassigned — offered to <@U0WP1SYY08E>"
    ticket.handoff_to = "payments-l1"
    without_group = edited(without="payments-l1", instead="tom.hughes")
    assert owner_label(ticket, without_group) == "unassigned — offered to Payments first line"
    ticket.handoff_to = "priya.shah"
    ticket.policy = {k: v for k, v in ticket.policy.items() if k != "people"}  # an older ticket
    assert owner_label(ticket, without_priya) == "unassigned — offered to priya.shah"


def test_due_times_of_a_removed_team_fall_back_to_utc(playbook):
    ticket = make_ticket(playbook)
    ticket.team = "gone-team"
    assert due_time(ticket, playbook, NOW).endswith("|Mon 23 Nov 09:00 UTC>")
