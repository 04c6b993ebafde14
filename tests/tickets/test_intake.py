"""Opening, acknowledging and assigning tickets (domain, real database)."""

import threading

import pytest
from sqlalchemy import func, select, text

from app import tickets
from app.errors import Forbidden, Invalid, NotFound
from app.models import Status, Ticket
from tests.conftest import NOW


def team_and_people(playbook):
    team_key = next(iter(playbook.teams))
    team = playbook.teams[team_key]
    member = playbook.user_id(team.tiers["L1"].primary)
    outsider = next(
        p.slack_id for p in playbook.people.values() if not playbook.may_act(p.slack_id, team_key)
    )
    return team_key, member, outsider


def intake(playbook, **overrides):
    team_key, member, _ = team_and_people(playbook)
    fields = dict(
        reporter_id=member,
        title="Checkout outage for all users",
        description="Payments fail with 502",
        impact="All users affected in EU",
        team=team_key,
        escalation_type=next(iter(playbook.escalation_types)),
    )
    fields.update(overrides)
    return tickets.Intake(**fields)


def open_one(db, playbook, **overrides):
    checked = tickets.check_intake(playbook, intake(playbook, **overrides))
    ticket, created = tickets.open_ticket(db, playbook, checked, now=NOW)
    assert created
    return ticket


def test_open_ticket_gets_key_targets_and_timeline(db, playbook):
    ticket = open_one(db, playbook)
    assert ticket.key.startswith("ESC-")
    assert ticket.status == Status.OPEN and ticket.tier == "L1"
    assert ticket.severity == ticket.suggested_severity
    expected = playbook.targets(ticket.severity, None)
    assert (ticket.response_target_minutes, ticket.resolution_target_minutes) == expected
    kinds = [e.kind for e in tickets.timeline(db, ticket)]
    assert kinds == ["opened", "severity.suggested"]


def test_keys_increase(db, playbook):
    first = open_one(db, playbook)
    second = open_one(db, playbook)
    assert int(second.key.split("-")[1]) == int(first.key.split("-")[1]) + 1


def test_customer_tier_changes_targets(db, playbook):
    key, customer = next(
        (k, c)
        for k, c in playbook.customers.items()
        if playbook.customer_tiers[c.tier].response_factor != 1
    )
    ticket = open_one(db, playbook, customer=key)
    assert ticket.customer_tier == customer.tier
    base = playbook.severity(ticket.severity).response_minutes
    assert ticket.response_target_minutes != base
    assert ticket.response_target_minutes == playbook.targets(ticket.severity, key)[0]


def test_override_needs_a_reason_that_names_the_suggestion(playbook):
    suggested = tickets.check_intake(playbook, intake(playbook)).suggestion.severity
    other = 4 if suggested != 4 else 3
    with pytest.raises(Invalid) as caught:
        tickets.check_intake(playbook, intake(playbook, severity=other))
    message = caught.value.fields["override_reason"]
    assert f"Relay suggests Sev{suggested}" in message and f"Sev{other}" in message


def test_override_with_reason_is_recorded(db, playbook):
    suggested = tickets.check_intake(playbook, intake(playbook)).suggestion.severity
    other = 4 if suggested != 4 else 3
    ticket = open_one(db, playbook, severity=other, override_reason="Only a test tenant")
    assert ticket.severity == other and ticket.suggested_severity == suggested
    override = tickets.timeline(db, ticket)[-1]
    assert override.kind == "severity.overridden"
    assert override.before == {"severity": suggested} and override.after == {"severity": other}
    assert override.note == "Only a test tenant"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 151}, "title"),
        ({"description": ""}, "description"),
        ({"impact": "\u202e\u200f"}, "impact"),
        ({"team": "no-such-team"}, "team"),
        ({"escalation_type": None}, "escalation_type"),
        ({"customer": "nobody-inc"}, "customer"),
        ({"description": "d" * 3001}, "description"),
        ({"title": "\u200b\u200b\u200b"}, "title"),  # zero-width spaces
        ({"title": "\u2800\u2800"}, "title"),  # braille blank
        ({"title": "\u3164 \u3164"}, "title"),  # Hangul filler
        ({"impact": "\u00a0\u3000\u2003"}, "impact"),  # no-break, ideographic, em spaces
        ({"description": "\u0301\u200d"}, "description"),  # a lone accent and a joiner
    ],
)
def test_bad_input_names_the_field(playbook, overrides, field):
    with pytest.raises(Invalid) as caught:
        tickets.check_intake(playbook, intake(playbook, **overrides))
    assert field in caught.value.fields


def test_text_that_shows_something_is_kept(playbook):
    checked = tickets.check_intake(playbook, intake(playbook, title="\u200bé 🧑\u200d💻"))
    assert checked.title == "\u200bé 🧑\u200d💻"


def test_cleaning_drops_bidi_and_control_characters(playbook):
    checked = tickets.check_intake(playbook, intake(playbook, title="Pay\u202ement\x00s\ndown"))
    assert checked.title == "Payments down"


def test_same_modal_submitted_twice_makes_one_ticket(db, playbook):
    first = open_one(db, playbook, intake_id="V0DOUBLE01")
    again = tickets.check_intake(playbook, intake(playbook, intake_id="V0DOUBLE01"))
    second, created = tickets.open_ticket(db, playbook, again, now=NOW)
    assert not created and second.id == first.id


def test_acknowledge_sets_owner_once(db, playbook):
    _, member, _ = team_and_people(playbook)
    ticket = open_one(db, playbook)
    event = tickets.acknowledge(db, playbook, ticket, by=member, now=NOW)
    assert event.kind == "acknowledged"
    assert ticket.status == Status.ACKNOWLEDGED and ticket.owner_id == member
    assert tickets.acknowledge(db, playbook, ticket, by=member, now=NOW) is None


def test_outsider_may_not_acknowledge_or_assign(db, playbook):
    _, member, outsider = team_and_people(playbook)
    ticket = open_one(db, playbook)
    with pytest.raises(Forbidden):
        tickets.acknowledge(db, playbook, ticket, by=outsider, now=NOW)
    with pytest.raises(Forbidden):
        tickets.assign(db, playbook, ticket, to=member, by=outsider, now=NOW)
    assert ticket.acknowledged_at is None and ticket.owner_id is None


def test_assign_only_to_team_members(db, playbook):
    team_key, member, outsider = team_and_people(playbook)
    ticket = open_one(db, playbook)
    with pytest.raises(Invalid):
        tickets.assign(db, playbook, ticket, to=outsider, by=member, now=NOW)
    other = next(iter(playbook.team_member_ids(team_key) - {member}))
    event = tickets.assign(db, playbook, ticket, to=other, by=member, now=NOW)
    assert event.before == {"owner": None} and event.after == {"owner": other}
    assert ticket.owner_id == other


def test_unknown_key(db):
    with pytest.raises(NotFound, match="ESC-999999"):
        tickets.get_ticket(db, "esc-999999")


def test_keys_unique_under_concurrent_submissions(sessions, playbook):
    """Eight threads open tickets at once, each in its own transaction."""
    keys, errors = [], []

    def submit(n):
        try:
            with sessions() as db, db.begin():
                checked = tickets.check_intake(playbook, intake(playbook, intake_id=f"V0RACE{n}"))
                ticket, _ = tickets.open_ticket(db, playbook, checked, now=NOW)
                keys.append(ticket.key)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(keys) == 8 and len(set(keys)) == 8
    with sessions() as db:
        stored = db.scalar(select(func.count()).where(Ticket.intake_id.like("V0RACE%")))
    assert stored == 8


def test_an_opening_on_postgresql_does_not_wait_for_one_not_yet_committed(sessions, playbook):
    """In a burst of Sev1 forms each ticket is saved before Slack's 3 s ack: on PostgreSQL
    a second opening goes ahead while the first is still uncommitted (its key comes from a
    sequence, not a row locked until commit), and the keys still follow each other."""
    if sessions.kw["bind"].dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has one writer at a time")
    with sessions() as first, first.begin():
        checked = tickets.check_intake(playbook, intake(playbook, intake_id="V0WAIT1"))
        one, _ = tickets.open_ticket(first, playbook, checked, now=NOW)
        first.flush()
        with sessions() as second, second.begin():
            second.execute(text("SET LOCAL lock_timeout = '2s'"))  # else it would hang
            checked = tickets.check_intake(playbook, intake(playbook, intake_id="V0WAIT2"))
            two, _ = tickets.open_ticket(second, playbook, checked, now=NOW)
            second.flush()
    assert int(two.key.split("-")[1]) == int(one.key.split("-")[1]) + 1


def test_severity_reason_is_the_rule_or_who_chose_it_and_why(db, playbook):
    suggested = open_one(db, playbook)
    assert suggested.severity_reason == "matched 'outage', 'all users', service Payments"
    chosen = open_one(db, playbook, severity=3, override_reason="Test tenant only")
    name = playbook.name_of(chosen.reporter_id, "?")
    assert chosen.severity_reason == f"chosen by {name}: Test tenant only"


def test_a_hint_the_submitted_values_no_longer_give_is_shown_again(playbook):
    # The form last showed Sev2; the submitted text and team give Sev1.
    for chosen in (None, 2):
        with pytest.raises(tickets.SuggestionChanged) as raised:
            tickets.check_intake(playbook, intake(playbook, shown_severity=2, severity=chosen))
        assert raised.value.suggestion.severity == 1
    for chosen in (None, 1):  # what the form showed, chosen or left empty, is never refused
        checked = tickets.check_intake(
            playbook, intake(playbook, shown_severity=1, severity=chosen)
        )
        assert checked.suggestion.severity == 1


def test_secrets_and_card_numbers_never_reach_the_database(db, playbook):
    token = "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
    ticket = open_one(
        db,
        playbook,
        description=f"Logs show {token} and password=hunter2secret; call +1 415-555-0123",
        impact="Card 4111 1111 1111 1111 was charged twice",
    )
    assert ticket.description == (
        "Logs show [redacted: Slack token] and password=[redacted: password];"
        " call +1 415-555-0123"  # contacts stay on the ticket; they are kept from customers
    )
    assert ticket.impact == "Card [redacted: card number] was charged twice"
    event = next(e for e in tickets.timeline(db, ticket) if e.kind == "redacted")
    assert event.after == {"Slack token": 1, "password": 1, "card number": 1}
    assert "hunter2" not in event.note and "xoxb" not in event.note
