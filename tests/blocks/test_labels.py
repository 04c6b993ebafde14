"""An unowned ticket never reads "In progress"."""

from app.models import Status
from blocks.labels import owner_label, status_label
from tests.blocks.test_card import make_ticket


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
