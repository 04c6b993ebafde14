"""Who may see a confidential ticket: the people its RACI names, admins, the reporter."""

import pytest

from app import tickets
from app.errors import Forbidden
from app.tickets.access import raci_user_ids
from tests.sla.test_people import edited
from tests.tickets.test_intake import open_one


def ids(playbook, *handles):
    return playbook.handles_to_user_ids(list(handles))


def test_raci_tokens_resolve_from_the_ticket_and_its_policy(db, playbook):
    # security: responsible security-response, accountable marcus.bell,
    # consulted team_manager, informed executives
    secret = open_one(db, playbook, escalation_type="security", customer="acme-bank")
    assert raci_user_ids(playbook, secret) == ids(
        playbook, "security-response", "marcus.bell", "james.whitfield", "helen.carter"
    )
    # technical: tier_primary, team_manager, tier_secondary, exec_sponsor (of the customer)
    plain_ticket = open_one(db, playbook, customer="globex")
    expected = ids(playbook, "amara.okafor", "james.whitfield", "payments-l1", "grace.liu")
    assert raci_user_ids(playbook, plain_ticket) == expected
    plain_ticket.tier = "L2"  # the policy snapshot, not today's playbook, names the tier owners
    plain_ticket.policy = {
        **plain_ticket.policy,
        "tiers": {"L2": {"primary": "noah.kim", "secondary": "sam.patel"}},
    }
    assert ids(playbook, "noah.kim", "sam.patel") <= raci_user_ids(playbook, plain_ticket)
    assert not ids(playbook, "priya.shah") & raci_user_ids(playbook, plain_ticket)


def test_confidential_tickets_are_seen_by_raci_admins_and_reporter_only(db, playbook):
    reporter = playbook.user_id("maya.chen")
    secret = open_one(db, playbook, escalation_type="security", reporter_id=reporter)
    plain_ticket = open_one(db, playbook, escalation_type="technical")
    allowed = ["hana.tan", "noah.kim", "marcus.bell", "james.whitfield", "fatima.haddad"]
    for handle in allowed:
        assert tickets.may_see(playbook, secret, playbook.user_id(handle)), handle
    assert tickets.may_see(playbook, secret, reporter)
    team_member = playbook.user_id("amara.okafor")  # payments L1, not named by the RACI
    assert not tickets.may_see(playbook, secret, team_member)
    assert tickets.may_see(playbook, plain_ticket, playbook.user_id("wei.lim"))
    with pytest.raises(Forbidden, match="is confidential"):
        tickets.require_may_see(playbook, secret, team_member)
    secret.owner_id = team_member  # whoever owns it works on it
    assert tickets.may_see(playbook, secret, team_member)


def test_raci_and_visibility_reach_someone_removed_through_the_snapshot(db, playbook):
    # billing: responsible tier_primary, accountable james.whitfield, consulted priya.shah
    billing = open_one(db, playbook, escalation_type="billing")
    billing.tier = "L2"  # priya.shah is the snapshotted L2 primary
    without = edited(without="priya.shah", instead="sofia.marin")
    assert ids(playbook, "priya.shah", "sofia.marin") <= raci_user_ids(without, billing)
    secret = open_one(db, playbook, escalation_type="security")
    secret.tier, secret.handoff_to = "L2", "priya.shah"
    assert tickets.may_see(without, secret, playbook.user_id("priya.shah"))
