"""The new-ticket form follows the inputs its suggestion depends on."""

import json

from app.tickets.classification import suggest_severity
from blocks.new_ticket import FOLLOWED, new_ticket_metadata, new_ticket_modal, severity_hint


def test_followed_inputs_dispatch_block_actions(playbook):
    blocks = {b["block_id"]: b for b in new_ticket_modal(playbook, metadata={})["blocks"]}
    for field in FOLLOWED:
        assert blocks[field]["dispatch_action"] is True
    assert blocks["title"]["element"]["dispatch_action_config"] == {
        "trigger_actions_on": ["on_enter_pressed", "on_character_entered"]
    }
    assert blocks["impact"]["element"]["dispatch_action_config"] == {
        "trigger_actions_on": ["on_character_entered"]
    }
    assert "dispatch_action" not in blocks["customer"]
    assert "dispatch_action_config" not in blocks["team"]["element"]


def test_the_hint_and_metadata_say_what_was_shown(playbook):
    suggestion = suggest_severity(playbook, title="Checkout outage", team="payments")
    view = new_ticket_modal(playbook, metadata={"origin_channel": "C1"}, suggestion=suggestion)
    severity = next(b for b in view["blocks"] if b["block_id"] == "severity")
    assert severity["hint"]["text"] == severity_hint(suggestion)
    assert severity_hint(suggestion).startswith(
        "Relay suggests Sev1: matched 'outage', service Payments."
    )
    assert new_ticket_metadata(view) == {"origin_channel": "C1", "shown": 1}
    assert json.loads(new_ticket_modal(playbook, metadata={})["private_metadata"]) == {
        "shown": None
    }
