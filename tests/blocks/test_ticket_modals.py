"""Ticket forms name the ticket, but not a confidential ticket's title."""

from blocks.ticket_modals import escalate_modal, resolve_modal, severity_modal
from tests.blocks.test_card import make_ticket


def test_forms_of_a_confidential_ticket_leave_the_title_out(playbook):
    secret = make_ticket(playbook, escalation_type="security", title="Leaked keys")
    plain_ticket = make_ticket(playbook, title="Payouts late")
    for build in (
        lambda t: escalate_modal(t, playbook),
        lambda t: severity_modal(t, playbook),
        lambda t: resolve_modal(t, playbook),
    ):
        assert "ESC-12345: confidential Security ticket" in str(build(secret))
        assert "Leaked keys" not in str(build(secret))
        assert "ESC-12345: Payouts late" in str(build(plain_ticket))
