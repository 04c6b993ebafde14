"""The new-ticket modal and the parsing of what was submitted. Title, description, impact
and team dispatch block actions as they change, so the severity hint can follow them."""

import json

from app.playbook import Playbook
from app.tickets.classification import Suggestion
from blocks.ids import Callback, Field
from blocks.inputs import input_block, text_input
from blocks.text import plain


def _option(value: str, text: str) -> dict:
    return {"text": {"type": "plain_text", "text": plain(text, 75)}, "value": value}


# The inputs the suggested severity depends on: each dispatches a block action.
FOLLOWED = (Field.TITLE, Field.DESCRIPTION, Field.IMPACT, Field.TEAM)


def _followed(block: dict) -> dict:
    if block["block_id"] not in FOLLOWED:
        return block
    element = block["element"]
    if element["type"] == "plain_text_input":
        triggers = ["on_character_entered"]
        if not element["multiline"]:
            triggers.insert(0, "on_enter_pressed")
        element["dispatch_action_config"] = {"trigger_actions_on": triggers}
    return {**block, "dispatch_action": True}


def _select(field: Field, label: str, options: list[dict], *, optional=False, placeholder=None):
    element = {"type": "static_select", "options": options[:100]}
    if placeholder:
        element["placeholder"] = {"type": "plain_text", "text": placeholder}
    return _followed(input_block(field, label, element, optional=optional))


def _text(field: Field, label: str, *, initial="", multiline=False, optional=False, limit=3000):
    element = text_input(initial, limit=limit, multiline=multiline)
    return _followed(input_block(field, label, element, optional=optional))


def severity_hint(suggestion: Suggestion | None) -> str:
    """What the severity input says: the severity the ticket will get when left empty."""
    if suggestion is None:
        return "Leave empty to use the severity Relay suggests from the playbook's rules."
    return (
        f"Relay suggests Sev{suggestion.severity}: {suggestion.explain()}. Leave empty to use "
        "it; it follows the title, description, impact and team as you fill them in."
    )


def new_ticket_modal(
    playbook: Playbook,
    *,
    metadata: dict,
    title: str = "",
    description: str = "",
    suggestion: Suggestion | None = None,
) -> dict:
    severities = [
        _option(str(level), f"{sev.name}: {sev.definition}")
        for level, sev in ((n, playbook.severity(n)) for n in (1, 2, 3, 4))
    ]
    severity = input_block(
        Field.SEVERITY,
        "Severity",
        {"type": "static_select", "options": severities},
        optional=True,
        hint=severity_hint(suggestion),
    )
    shown = {"shown": suggestion.severity if suggestion else None}
    blocks = [
        _text(Field.TITLE, "Title", initial=title, limit=150),
        _text(Field.DESCRIPTION, "Description", initial=description, multiline=True),
        _text(Field.IMPACT, "Impact (who is affected, how badly)", multiline=True),
        _text(Field.BUSINESS_RATIONALE, "Business rationale", multiline=True, optional=True),
        _select(
            Field.TEAM,
            "Team",
            [_option(k, t.name) for k, t in playbook.teams.items()],
            placeholder="Who should own this",
        ),
        _select(
            Field.CUSTOMER,
            "Customer",
            [_option(k, c.name) for k, c in playbook.customers.items()],
            optional=True,
        ),
        _select(
            Field.ESCALATION_TYPE,
            "Escalation type",
            [_option(k, t.name) for k, t in playbook.escalation_types.items()],
        ),
        severity,
        _text(
            Field.OVERRIDE_REASON,
            "Why this severity (if not the suggested one)",
            multiline=True,
            optional=True,
            limit=500,
        ),
    ]
    return {
        "type": "modal",
        "callback_id": Callback.NEW_TICKET,
        "title": {"type": "plain_text", "text": "New escalation"},
        "submit": {"type": "plain_text", "text": "Escalate"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps({**metadata, **shown})[:3000],
        "blocks": blocks,
    }


def new_ticket_metadata(view: dict) -> dict:
    """What the form carries besides its inputs: where it started, and the severity shown."""
    return json.loads(view.get("private_metadata") or "{}")


def parse_new_ticket(state_values: dict) -> dict:
    """view.state.values -> {field: str | None}; selects give their option value."""
    parsed: dict[str, str | None] = {}
    for field in Field:
        element = state_values.get(field, {}).get(field, {})
        if "selected_option" in element:
            option = element["selected_option"]
            parsed[field] = option["value"] if option else None
        else:
            parsed[field] = element.get("value")
    return parsed
