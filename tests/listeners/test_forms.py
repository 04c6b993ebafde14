"""Ticket forms check the ticket before they open."""

import pytest

from app.errors import Invalid
from app.listeners.forms import escalation_form, severity_form
from tests.tickets.test_lifecycle import resolved


def test_a_resolved_ticket_gets_no_escalation_or_severity_form(db, playbook):
    ticket = resolved(db, playbook)
    for build in (escalation_form("tried"), severity_form):
        with pytest.raises(Invalid, match=f"reopen it first with `/esc reopen {ticket.key}`"):
            build(playbook, ticket)
