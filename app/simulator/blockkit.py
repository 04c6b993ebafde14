"""Block Kit checks (via slack_sdk.models), the ids Slack fills in, finding elements."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator

from slack_sdk.models.basic_objects import JsonObject
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
VIEW_BYTES = 250_000
TEXT_LIMIT_24 = ("title", "submit", "close")


class BlockError(ValueError):
    """Blocks or a view Slack would reject; `code` is the Web API error."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


def decode(value):
    """Form-encoded bodies carry blocks/views as JSON strings; JSON bodies carry them as-is."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise BlockError("invalid_blocks_format", f"not JSON: {exc}") from exc
    return value


def _validate_deep(obj: JsonObject) -> None:
    obj.validate_json()
    for name in getattr(obj, "attributes", ()):
        value = getattr(obj, name, None)
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(item, JsonObject):
                _validate_deep(item)


def _check_each(blocks: list, code: str) -> None:
    for index, raw in enumerate(blocks):
        if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
            raise BlockError(code, f"block {index} is not an object with a type")
        try:
            parsed = Block.parse(copy.deepcopy(raw))
            if parsed is not None:  # newer block types slack_sdk does not know pass through
                _validate_deep(parsed)
        except Exception as exc:  # slack_sdk raises SlackObjectFormationError, TypeError, ...
            raise BlockError(code, f"block {index} ({raw['type']}): {exc}") from exc


def check_message_blocks(blocks) -> list:
    blocks = decode(blocks)
    if not isinstance(blocks, list):
        raise BlockError("invalid_blocks_format", "blocks must be an array")
    if len(blocks) > MESSAGE_BLOCKS:
        raise BlockError("invalid_blocks", f"{len(blocks)} blocks > {MESSAGE_BLOCKS}")
    _check_each(blocks, "invalid_blocks")
    return blocks


def check_view(view) -> dict:
    """Returns the decoded view or raises BlockError(invalid_arguments | view_too_large)."""
    try:
        view = decode(view)
    except BlockError as exc:
        raise BlockError("invalid_arguments", exc.detail) from exc
    bad = "invalid_arguments"
    if not isinstance(view, dict) or view.get("type") not in ("modal", "home"):
        raise BlockError(bad, "view must be an object with type modal or home")
    if len(json.dumps(view)) > VIEW_BYTES:
        raise BlockError("view_too_large", "view larger than 250 kB")
    blocks = view.get("blocks")
    if not isinstance(blocks, list) or len(blocks) > VIEW_BLOCKS:
        raise BlockError(bad, f"view needs a blocks array of at most {VIEW_BLOCKS}")
    for key in TEXT_LIMIT_24:
        text = view.get(key)
        if isinstance(text, dict) and len(str(text.get("text", ""))) > 24:
            raise BlockError(bad, f"{key} longer than 24 characters")
    if view["type"] == "modal" and not view.get("title"):
        raise BlockError(bad, "a modal needs a title")
    has_input = any(b.get("type") == "input" for b in blocks if isinstance(b, dict))
    if view["type"] == "modal" and has_input and not view.get("submit"):
        raise BlockError(bad, "a modal with input blocks needs submit")
    limits = {"private_metadata": 3000, "callback_id": 255, "external_id": 255}
    for key, limit in limits.items():
        if len(str(view.get(key) or "")) > limit:
            raise BlockError(bad, f"{key} longer than {limit} characters")
    try:
        View(**copy.deepcopy(view)).validate_json()
    except Exception as exc:
        raise BlockError(bad, str(exc)) from exc
    _check_each(blocks, bad)
    return view


# -- ids Slack fills in, finding elements --------------------------------------------------------


def _block_elements(block: dict) -> Iterator[dict]:
    if isinstance(block.get("accessory"), dict):
        yield block["accessory"]
    if isinstance(block.get("element"), dict):
        yield block["element"]
    if block.get("type") == "actions":
        yield from (e for e in block.get("elements", []) if isinstance(e, dict))


def with_ids(blocks: list, new_id: Callable[[], str]) -> list:
    """A copy with every block_id and interactive action_id filled, as Slack stores them."""
    blocks = copy.deepcopy(blocks)
    for block in blocks:
        block.setdefault("block_id", new_id())
        for element in _block_elements(block):
            if element.get("type") not in ("image",):
                element.setdefault("action_id", new_id())
    return blocks


def elements(blocks: list) -> Iterator[tuple[dict, dict]]:
    for block in blocks or []:
        if isinstance(block, dict):
            for element in _block_elements(block):
                if "action_id" in element:
                    yield block, element


def find_element(blocks: list, key: str) -> tuple[dict, dict] | None:
    """By "action_id" or "block_id.action_id"."""
    for block, element in elements(blocks):
        if key in (element["action_id"], f"{block.get('block_id')}.{element['action_id']}"):
            return block, element
    return None
