"""view.state.values entries and block_actions `actions[]` items, per element type."""

from __future__ import annotations

import copy

from app.simulator.blockkit import elements, find_element

TEXT_INPUTS = {"plain_text_input", "email_text_input", "url_text_input", "number_input"}
ONE_OPTION = {"static_select", "external_select", "radio_buttons", "overflow"}
MANY_OPTIONS = {"multi_static_select", "multi_external_select", "checkboxes"}
PICKERS = {  # element type -> (state key, initial key)
    "users_select": ("selected_user", "initial_user"),
    "multi_users_select": ("selected_users", "initial_users"),
    "conversations_select": ("selected_conversation", "initial_conversation"),
    "multi_conversations_select": ("selected_conversations", "initial_conversations"),
    "channels_select": ("selected_channel", "initial_channel"),
    "multi_channels_select": ("selected_channels", "initial_channels"),
    "datepicker": ("selected_date", "initial_date"),
    "timepicker": ("selected_time", "initial_time"),
    "datetimepicker": ("selected_date_time", "initial_date_time"),
}
STATELESS = {"button", "workflow_button", "image"}


def _options(element: dict) -> list[dict]:
    found = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        found.extend(group.get("options") or [])
    return found


def option_for(element: dict, value) -> dict:
    if isinstance(value, dict):
        return copy.deepcopy(value)
    for option in _options(element):
        if option.get("value") == value:
            return copy.deepcopy(option)
    if element.get("type", "").endswith("external_select"):
        return {"text": {"type": "plain_text", "text": str(value), "emoji": True}, "value": value}
    raise ValueError(f"{element.get('action_id')}: no option with value {value!r}")


def _as_list(raw) -> list:
    if raw is None:
        return []
    return list(raw) if isinstance(raw, (list, tuple)) else [raw]


def state_entry(element: dict, raw=None, *, given: bool = False) -> dict:
    """The state.values[block_id][action_id] object for one element."""
    kind = element.get("type", "")
    entry: dict = {"type": kind}
    if kind in TEXT_INPUTS:  # an empty input arrives as null, as in Slack
        if given:
            entry["value"] = None if raw in (None, "") else str(raw)
        else:
            entry["value"] = element.get("initial_value")
    elif kind in ONE_OPTION:
        if given:
            entry["selected_option"] = None if raw is None else option_for(element, raw)
        else:
            entry["selected_option"] = copy.deepcopy(element.get("initial_option"))
    elif kind in MANY_OPTIONS:
        if given:
            entry["selected_options"] = [option_for(element, v) for v in _as_list(raw)]
        else:
            entry["selected_options"] = copy.deepcopy(element.get("initial_options") or [])
    elif kind in PICKERS:
        key, initial = PICKERS[kind]
        multi = kind.startswith("multi_")
        if given:
            entry[key] = _as_list(raw) if multi else raw
        else:
            entry[key] = element.get(initial, [] if multi else None)
    elif kind == "rich_text_input":
        if given and isinstance(raw, str):
            section = {"type": "rich_text_section", "elements": [{"type": "text", "text": raw}]}
            raw = {"type": "rich_text", "elements": [section]}
        entry["rich_text_value"] = raw if given else element.get("initial_value")
    else:
        entry["value"] = raw if given else None
    return entry


def build_state(blocks: list, values: dict, current: dict | None = None) -> dict:
    """state.values for a submitted view: given values, else what the user already picked, else
    the element's initial value (or empty)."""
    values = dict(values or {})
    for key in values:
        if find_element(blocks, key) is None:
            raise KeyError(f"no element with action_id {key!r} in the view")
    out: dict = {}
    for block, element in elements(blocks):
        if element.get("type") in STATELESS:
            continue
        block_id, action_id = block["block_id"], element["action_id"]
        for key in (f"{block_id}.{action_id}", action_id):
            if key in values:
                entry = state_entry(element, values[key], given=True)
                break
        else:
            entry = (current or {}).get(block_id, {}).get(action_id) or state_entry(element)
        out.setdefault(block_id, {})[action_id] = entry
    return out


def action_item(
    block: dict, element: dict, ts: str, *, value=None, selected_user=None, selected_option=None
) -> dict:
    """One entry of block_actions.actions[]."""
    kind = element.get("type", "")
    item = {"action_id": element["action_id"], "block_id": block["block_id"], "type": kind}
    if kind == "button":
        item["text"] = copy.deepcopy(element.get("text"))
        if value is not None or "value" in element:
            item["value"] = value if value is not None else element["value"]
        for key in ("style", "url"):
            if key in element:
                item[key] = element[key]
    else:
        if "placeholder" in element:
            item["placeholder"] = copy.deepcopy(element["placeholder"])
        raw = selected_user if selected_user is not None else selected_option
        raw = raw if raw is not None else value
        if kind == "overflow":
            item["selected_option"] = option_for(element, raw)
        else:
            item.update({k: v for k, v in state_entry(element, raw, given=True).items()})
            item["type"] = kind
    item["action_ts"] = ts
    return item
