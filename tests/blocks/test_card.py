"""The card, the modal and App Home are valid Block Kit even at the input limits."""

from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from app.models import Status, Ticket
from app.sla.targets import retarget, start_clocks
from app.tickets.classification import suggest_severity
from blocks.card import card_text, ticket_card, ticket_details
from blocks.home import home_view
from blocks.new_ticket import new_ticket_modal, parse_new_ticket
from tests.sla.test_people import edited

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DUE_13H = int(datetime(2026, 11, 23, 13, 0, tzinfo=UTC).timestamp())


def make_ticket(playbook, **overrides) -> Ticket:
    fields = dict(
        key="ESC-12345",
        title="T" * 150,
        description="<!channel> " + "d" * 2990,
        impact="i" * 3000,
        business_rationale="",
        severity=1,
        suggested_severity=1,
        escalation_type="technical",
        team="payments",
        tier="L1",
        customer="acme-bank",
        customer_tier="strategic",
        reporter_id="U0HW88GQ274",
        owner_id=None,
        status=Status.OPEN,
        response_target_minutes=8,
        resolution_target_minutes=180,
        source_permalink="https://northwind.slack.com/archives/C1/p1",
        opened_at=NOW,
        updated_at=NOW,
        acknowledged_at=None,
        pauses=[],
        response_warned=False,
        response_breached=False,
        resolution_warned=False,
        resolution_breached=False,
    )
    fields.update(overrides)
    ticket = Ticket(**fields)
    start_clocks(playbook, ticket, now=NOW)
    return ticket


def plain_texts(node) -> list[str]:
    """plain_text can't render date tokens, so none may carry one."""
    if isinstance(node, list):
        return [t for item in node for t in plain_texts(item)]
    if not isinstance(node, dict):
        return []
    own = [node["text"]] if node.get("type") == "plain_text" else []
    return own + [t for value in node.values() for t in plain_texts(value)]


def validate_blocks(blocks: list[dict]) -> None:
    assert len(blocks) <= 50
    for block in blocks:
        Block.parse(block).validate_json()


@pytest.mark.parametrize("owner", [None, "U0RAFHUG4A7"])
def test_card_at_the_limits_is_valid(playbook, owner):
    ticket = make_ticket(playbook, owner_id=owner, acknowledged_at=NOW if owner else None)
    blocks = ticket_card(ticket, playbook, now=NOW)
    validate_blocks(blocks)
    text = str(blocks)
    assert "&lt;!channel&gt;" in text and "<!channel>" not in text
    assert ("ticket_ack" in text) is (owner is None)
    assert "source message" in text and "Acme Bank (Strategic)" in text
    assert len(card_text(ticket, playbook)) < 300


def test_details_have_no_buttons(playbook):
    details = ticket_details(make_ticket(playbook), playbook, now=NOW)
    assert all(b["type"] != "actions" for b in details)


def test_card_shows_due_times_in_the_team_zone_and_state(playbook):
    ticket = make_ticket(playbook, severity=3, response_target_minutes=240)
    ticket.policy = {**ticket.policy, "response_minutes": 240, "calendar": "business_hours"}
    retarget(playbook, ticket, now=NOW)
    token = f"<!date^{DUE_13H}^{{date_short_pretty}} {{time}}|Mon 23 Nov 13:00 GMT>"
    text = str(ticket_card(ticket, playbook, now=NOW))
    assert f"due {token} · on track" in text
    late = str(ticket_card(ticket, playbook, now=NOW + timedelta(hours=3, minutes=30)))
    assert f"due {token} · :warning: at risk" in late
    assert not [t for t in plain_texts(ticket_card(ticket, playbook, now=NOW)) if "<!date" in t]


def test_home_shows_due_times_as_date_tokens(playbook):
    ticket = make_ticket(playbook, severity=3, response_target_minutes=240)
    ticket.policy = {**ticket.policy, "response_minutes": 240, "calendar": "business_hours"}
    retarget(playbook, ticket, now=NOW)
    view = home_view([ticket], [], playbook, now=NOW)
    View(**view).validate_json()
    token = f"<!date^{DUE_13H}^{{date_short_pretty}} {{time}}|Mon 23 Nov 13:00 GMT>"
    assert f"Response due {token} · on track" in str(view)
    assert "&lt;!date" not in str(view)
    assert not [t for t in plain_texts(view) if "<!date" in t]


def test_modal_is_valid_and_shows_the_suggestion(playbook):
    suggestion = suggest_severity(playbook, title="Checkout outage", team="payments")
    view = new_ticket_modal(
        playbook,
        metadata={"origin_channel": "C0SUPPORT1"},
        title="x" * 200,
        description="y" * 5000,
        suggestion=suggestion,
    )
    View(**view).validate_json()
    assert "Relay suggests Sev1: matched 'outage'" in str(view)


def test_parse_reads_text_and_selects_like_slack_sends_them():
    values = {
        "title": {"title": {"type": "plain_text_input", "value": "Down"}},
        "description": {"description": {"type": "plain_text_input", "value": None}},
        "team": {"team": {"type": "static_select", "selected_option": {"value": "payments"}}},
        "customer": {"customer": {"type": "static_select", "selected_option": None}},
    }
    parsed = parse_new_ticket(values)
    assert parsed["title"] == "Down" and parsed["team"] == "payments"
    assert parsed["description"] is None and parsed["customer"] is None
    assert parsed["severity"] is None


def test_home_view_is_valid(playbook):
    tickets = [make_ticket(playbook, key=f"ESC-{n}", id=n) for n in range(40)]
    view = home_view(tickets, tickets, playbook, now=NOW + timedelta(hours=1))
    View(**view).validate_json()
    headers = [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"]
    assert headers == ["Breached", "At risk", "My open tickets", "My teams' queues"]
    assert "and 30 more" in str(view["blocks"])


def test_confidential_card_in_the_queue_has_no_details(playbook):
    ticket = make_ticket(playbook, escalation_type="security", title="Leaked keys", impact="Forged")
    blocks = ticket_card(ticket, playbook, now=NOW)
    validate_blocks(blocks)
    text = str(blocks)
    for detail in ("Leaked keys", "&lt;!channel&gt;", "Forged", "Acme Bank", "source message"):
        assert detail not in text, detail
    assert "ESC-12345 · Confidential" in text and "Security" in text and "*Response*" in text
    assert "ticket_open" in text and "ticket_ack" in text
    assert card_text(ticket, playbook) == "ESC-12345 Sev1: confidential Security ticket"
    details = str(ticket_details(ticket, playbook, now=NOW))
    assert "Leaked keys" in details and "Forged" in details and "Acme Bank" in details


def test_card_of_a_removed_customer_shows_what_the_ticket_stored(playbook):
    ticket = make_ticket(playbook)  # Acme Bank, strategic
    without = edited(without="acme-bank")
    blocks = ticket_card(ticket, without, now=NOW)
    validate_blocks(blocks)
    assert "*Customer*\\nacme-bank (Strategic)" in str(blocks)
    ticket.customer_tier = "platinum"  # a tier the playbook does not have either
    assert "*Customer*\\nacme-bank (platinum)" in str(ticket_details(ticket, without, now=NOW))


def test_card_of_a_removed_team_shows_its_key(playbook):
    ticket = make_ticket(playbook, handoff_to="priya.shah", handoff_due_at=NOW)
    ticket.team = "gone-team"
    blocks = ticket_card(ticket, playbook, now=NOW)
    validate_blocks(blocks)
    assert "*Team / tier*\\ngone-team · L1" in str(blocks)
    business = make_ticket(playbook, severity=3, response_target_minutes=240)
    business.policy = {**business.policy, "response_minutes": 240, "calendar": "business_hours"}
    retarget(playbook, business, now=NOW)
    business.team = "gone-team"  # its hours are unknown now: states read round the clock
    assert "· on track" in str(ticket_card(business, playbook, now=NOW))
