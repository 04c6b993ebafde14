"""A ticket keeps working after the playbook drops someone its policy names: the snapshot
taken when it opened stores their Slack ids and names. A ticket opened before snapshots
treats someone removed as nobody to notify, with a warning."""

from pathlib import Path

import pytest
import yaml
from structlog.testing import capture_logs

from app.errors import Invalid
from app.playbook import Playbook, parse_playbook
from app.sla import escalation
from tests.sla.test_escalation import kinds, open_sev3

SHIPPED = Path(__file__).resolve().parents[2] / "playbook.yml"
PRIYA = "U0WP1SYY08E"  # payments L2 primary, L3 secondary
JAMES = "U0719S2689B"  # payments manager
AMARA, TOM = "U0HW88GQ274", "U0RAFHUG4A7"  # the payments-l1 group


def _replaced(node, handle: str, instead: str):
    if isinstance(node, dict):
        return {k: _replaced(v, handle, instead) for k, v in node.items()}
    if isinstance(node, list):
        items = [_replaced(v, handle, instead) for v in node]
        return [v for i, v in enumerate(items) if v not in items[:i]]  # no duplicates
    return instead if node == handle else node


def shipped_data() -> dict:
    return yaml.load(SHIPPED.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def removed(data: dict, without: str, instead: str | None = None) -> dict:
    """Playbook data with a person, group or customer removed, every reference to it
    pointing at `instead`."""
    for section in ("people", "groups", "customers"):
        data.get(section, {}).pop(without, None)
    return _replaced(data, without, instead)


def edited(*, without: str, instead: str | None = None) -> Playbook:
    """The shipped playbook, edited: `without` removed (see `removed`)."""
    return parse_playbook(removed(shipped_data(), without, instead), source="edited")


def test_the_snapshot_stores_who_the_policy_names(db, playbook):
    ticket = open_sev3(db, playbook)
    stored = ticket.policy["people"]
    assert set(stored) == {
        "amara.okafor",
        "payments-l1",
        "priya.shah",
        "lukas.becker",
        "sofia.marin",
        "james.whitfield",
    }
    assert stored["priya.shah"] == {"ids": [PRIYA], "name": "Priya Shah", "group": False}
    group = stored["payments-l1"]
    assert group == {"ids": sorted([AMARA, TOM]), "name": "Payments first line", "group": True}
    # the live playbook wins for someone it still has
    data = shipped_data()
    data["people"]["priya.shah"]["slack_id"] = "U0NEWPRIYA1"
    events = escalation.act_on_due(db, parse_playbook(data), ticket, now=ticket.response_due_at)
    assert events[-1].after["notify"] == ["U0NEWPRIYA1"]


def test_a_removed_person_is_still_offered_the_handoff_from_the_snapshot(db, playbook):
    ticket = open_sev3(db, playbook)
    now_without = edited(without="priya.shah", instead="sofia.marin")
    events = escalation.act_on_due(db, now_without, ticket, now=ticket.response_due_at)
    assert kinds(events) == ["sla.breached", "escalated", "handoff.offered"]
    assert ticket.handoff_to == "priya.shah"
    assert events[-1].after["notify"] == [PRIYA]
    assert escalation.may_accept(now_without, ticket, PRIYA)
    accepted = escalation.accept_handoff(
        db, now_without, ticket, by=PRIYA, now=ticket.response_due_at
    )
    assert accepted.after == {"owner": PRIYA, "tier": "L2"}


def test_a_removed_manager_is_still_told_and_named(db, playbook):
    ticket = open_sev3(db, playbook)
    ticket.tier = "L3"
    now_without = edited(without="james.whitfield", instead="helen.carter")
    events = escalation.act_on_due(db, now_without, ticket, now=ticket.response_due_at)
    assert kinds(events) == ["sla.breached", "manager.notified"]
    assert events[-1].after["notify"] == [JAMES]
    with pytest.raises(Invalid, match="James Whitfield manages it"):
        escalation.require_can_climb(now_without, ticket)


def test_a_removed_group_is_paged_from_the_snapshot(db, playbook):
    ticket = open_sev3(db, playbook)
    now_without = edited(without="payments-l1", instead="tom.hughes")
    ticket.severity = 1  # a severity that pages
    paged = escalation.page(db, now_without, ticket, now=ticket.opened_at)
    assert paged.after["notify"] == sorted([AMARA, TOM])


def test_a_ticket_from_before_snapshots_notifies_nobody_for_someone_removed(db, playbook):
    ticket = open_sev3(db, playbook)
    ticket.policy = {k: v for k, v in ticket.policy.items() if k != "people"}
    now_without = edited(without="priya.shah", instead="sofia.marin")
    with capture_logs() as logs:
        events = escalation.act_on_due(db, now_without, ticket, now=ticket.response_due_at)
    assert kinds(events) == ["sla.breached", "escalated", "handoff.offered"]
    assert events[-1].after["notify"] == []
    assert {
        "event": "ticket.handle_unknown",
        "key": ticket.key,
        "handle": "priya.shah",
        "log_level": "warning",
    } in logs
