"""Which mentions in a new message make Slack notify someone (sim.pings)."""

from __future__ import annotations

import re
from collections.abc import Iterator

SPECIAL_RE = re.compile(r"<!(channel|here|everyone)(?:\|[^>]*)?>")
SUBTEAM_RE = re.compile(r"<!subteam\^([A-Z0-9]+)(?:\|[^>]*)?>")
USER_RE = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
# With link_names=true Slack turns a bare "@here" into a real mention.
BARE_RE = re.compile(r"(?<![\w<!@])@(channel|here|everyone)\b")


def _in_text(text: str, link_names: bool) -> Iterator[str]:
    for match in SPECIAL_RE.finditer(text):
        yield match.group(1)
    for match in SUBTEAM_RE.finditer(text):
        yield match.group(1)
    for match in USER_RE.finditer(text):
        yield match.group(1)
    if link_names:
        for match in BARE_RE.finditer(text):
            yield match.group(1)


def _in_blocks(node: object, link_names: bool) -> Iterator[str]:
    """mrkdwn text objects and rich_text mention elements; plain_text never pings."""
    if isinstance(node, list):
        for item in node:
            yield from _in_blocks(item, link_names)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind == "mrkdwn" and isinstance(node.get("text"), str):
        yield from _in_text(node["text"], link_names and not node.get("verbatim"))
        return
    if kind == "plain_text":
        return
    if kind == "broadcast" and node.get("range") in ("channel", "here", "everyone"):
        yield node["range"]
    elif kind == "user" and isinstance(node.get("user_id"), str):
        yield node["user_id"]
    elif kind == "usergroup" and isinstance(node.get("usergroup_id"), str):
        yield node["usergroup_id"]
    for value in node.values():
        if isinstance(value, (dict, list)):
            yield from _in_blocks(value, link_names)


def find_pings(text: str | None, blocks: list | None, link_names: bool = False) -> list[str]:
    """Targets notified by a message, in order of first appearance, without duplicates."""
    found: list[str] = []
    sources = list(_in_text(text or "", link_names)) + list(_in_blocks(blocks or [], link_names))
    for target in sources:
        if target not in found:
            found.append(target)
    return found
