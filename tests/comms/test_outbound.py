"""Redaction on the way out: everything the redactor knows, and for customers also the
playbook's people and groups (names, handles, first names as written) and mentions."""

import pytest

from app.comms import outbound
from tests.sla.test_escalation import open_sev3

CUSTOMER = [
    ("Priya restarted the processor", "[redacted: internal name] restarted the processor"),
    (
        "ask priya.shah or <@U0WP1SYY08E>",
        "ask [redacted: internal name] or [redacted: internal name]",
    ),
    ("Security response is on it", "[redacted: internal name] is on it"),
    ("within the grace period", "within the grace period"),
    ("Sofía Marín confirmed", "[redacted: internal name] confirmed"),
    ("the payments team is on it", "the payments team is on it"),
]


@pytest.mark.parametrize(("text", "expected"), CUSTOMER)
def test_customer_text_loses_internal_names(db, playbook, text, expected):
    ticket = open_sev3(db, playbook)
    found, _ = outbound.clean(playbook, ticket, {"t": text}, customer=True)
    assert found["t"] == expected


def test_internal_text_keeps_names_but_not_secrets_and_the_note_counts(db, playbook):
    ticket = open_sev3(db, playbook)
    text = "Priya: card 4111 1111 1111 1111, key AKIAIOSFODNN7EXAMPLE, tel 020 7946 0958"
    found, note = outbound.scrub(
        db, playbook, ticket, {"t": text}, where="update", now=ticket.opened_at
    )
    assert found["t"].startswith("Priya: card [redacted: card number]")
    assert "AKIA" not in found["t"] and "0958" not in found["t"]
    assert (
        note.after["card number"] == 1
        and note.after["phone"] == 1
        and note.after["where"] == "update"
    )
    assert "4111" not in str(note.after) + (note.note or "")


def test_nothing_found_means_no_note(db, playbook):
    ticket = open_sev3(db, playbook)
    found, note = outbound.scrub(
        db, playbook, ticket, {"t": "ESC-42 v1.2.3"}, where="x", now=ticket.opened_at
    )
    assert found == {"t": "ESC-42 v1.2.3"} and note is None
