"""Input blocks for modals: block id and action id are the same Field."""

from blocks.ids import Field
from blocks.text import plain, truncate


def input_block(field: Field, label: str, element: dict, *, optional=False, hint=None) -> dict:
    block = {
        "type": "input",
        "block_id": field,
        "optional": optional,
        "label": {"type": "plain_text", "text": label},
        "element": {"action_id": field, **element},
    }
    if hint:
        block["hint"] = {"type": "plain_text", "text": plain(hint, 2000)}
    return block


def text_input(initial: str = "", *, limit: int = 3000, multiline: bool = True) -> dict:
    element = {"type": "plain_text_input", "multiline": multiline, "max_length": limit}
    return {**element, "initial_value": truncate(initial, limit)} if initial else element
