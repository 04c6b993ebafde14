"""Redaction on the way out: everything the redactor knows, and for customers also the
playbook's people and groups (names, handles, first names as written) and mentions."""

import pytest
import yaml

from app.comms import customers, outbound
from app.models import Status
from app.playbook import parse_playbook
from tests.conftest import PLAYBOOK
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

# Short first names (three letters or fewer): stripped as written, whole words; the same
# letters in another case, joined to a hyphen or inside a word stay. The roster below adds
# Li Wei (li.wei), Bob Stone, Ann Lee and Al Ruiz to the shipped people (Tom, Sam, Wei).
R = "[redacted: internal name]"
SHORT = [
    ("Li restarted the processor", f"{R} restarted the processor"),
    ("ask Bob or Ann", f"ask {R} or {R}"),
    ("Tom, Sam and Wei are on it", f"{R}, {R} and {R} are on it"),
    ("Al's fix is live", f"{R}'s fix is live"),
    ("(Bob)", f"({R})"),
    ("the bob of the queue", "the bob of the queue"),  # lower case: a word, not Bob
    ("BOB is a batch job", "BOB is a batch job"),
    ("change AL-123 and Al-124", "change AL-123 and Al-124"),  # identifiers
    ("Tom-1 build", "Tom-1 build"),
    ("Annual report, Bobby tables, Lisbon", "Annual report, Bobby tables, Lisbon"),
    ("li and ann in lower case", "li and ann in lower case"),
    ("tomorrow at the summit", "tomorrow at the summit"),
    ("Wei Lim and li.wei", f"{R} and {R}"),  # full names and handles: any case
]


@pytest.fixture(scope="module")
def roster():
    data = yaml.safe_load(PLAYBOOK.read_text())
    data["people"].update(
        {
            "li.wei": {"slack_id": "U0LIWEI0001", "name": "Li Wei", "tz": "Asia/Shanghai"},
            "bob.stone": {"slack_id": "U0BOBSTONE1", "name": "Bob Stone", "tz": "UTC"},
            "ann.lee": {"slack_id": "U0ANNLEE001", "name": "Ann Lee", "tz": "UTC"},
            "al.ruiz": {"slack_id": "U0ALRUIZ001", "name": "Al Ruiz", "tz": "UTC"},
        }
    )
    return parse_playbook(data)


@pytest.mark.parametrize(("text", "expected"), SHORT)
def test_short_first_names_go_as_written_and_words_stay(db, roster, text, expected):
    ticket = open_sev3(db, roster)
    found, counts = outbound.clean(roster, ticket, {"t": text}, customer=True)
    assert found["t"] == expected
    assert counts.get("internal name", 0) == expected.count(R)


def test_what_an_internal_field_says_is_not_copied_to_a_customer(db, playbook):
    ticket = open_sev3(
        db,
        playbook,
        description="The primary certificate expired overnight. Ops rotated it!\nPaging",
        business_rationale="Acme is up for renewal next week",
    )
    text = (
        "The primary  certificate EXPIRED overnight; acme is up for renewal next week. "
        "We are paging the team. Ops rotated it"
    )
    found, counts = outbound.clean(playbook, ticket, {"t": text}, customer=True)
    field = "[redacted: internal field]"
    assert found["t"] == f"{field}; {field} We are paging the team. {field}"
    assert counts == {"internal field": 3}
    internal, _ = outbound.clean(playbook, ticket, {"t": text})
    assert internal["t"] == text  # executives and the war room may read it


def test_a_field_not_marked_internal_may_be_quoted(db, playbook):
    ticket = open_sev3(db, playbook, description="The primary certificate expired overnight")
    open_book = playbook.model_copy(update={"internal_fields": ["owner"]})
    text = "The primary certificate expired overnight"
    assert outbound.clean(open_book, ticket, {"t": text}, customer=True)[0]["t"] == text


@pytest.mark.parametrize(
    ("status", "mitigated", "shown"),
    [
        (Status.OPEN, False, "Investigating"),
        (Status.ACKNOWLEDGED, False, "Investigating"),
        (Status.IN_PROGRESS, False, "Investigating"),
        (Status.IN_PROGRESS, True, "Monitoring"),
        (Status.WAITING, True, "Waiting for your reply"),
        (Status.MITIGATED, True, "Monitoring"),
        (Status.RESOLVED, True, "Resolved"),
        (Status.CLOSED, False, "Resolved"),
    ],
)
def test_customers_read_the_status_in_their_words(db, playbook, status, mitigated, shown):
    ticket = open_sev3(db, playbook)
    ticket.status = status
    ticket.mitigated_at = ticket.opened_at if mitigated else None
    assert customers.customer_status(ticket) == shown


def test_every_state_has_customer_words():
    assert set(customers.CUSTOMER_STATUS) == set(Status)


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
