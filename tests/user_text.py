"""Hypothesis strategies for what people type, and checks of what reaches them, shared by
the property tests (tests/*/test_*properties.py)."""

import os
import re

from hypothesis import settings
from hypothesis import strategies as st
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from app.simulator import blockkit


def examples(count: int) -> settings:
    """`count` examples a property (times HYPOTHESIS_SCALE, 1 in CI), no deadline."""
    return settings(
        max_examples=count * int(os.environ.get("HYPOTHESIS_SCALE", "1")), deadline=None
    )


# Pieces a person (or an attacker) may type: Slack's mention and link syntax, mrkdwn
# markup, JSON, escapes, bidi and zero-width characters, fillers, controls, emoji.
FRAGMENTS = (
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!subteam^S0ABC123|@oncall>",
    "<@U0HW88GQ274>",
    "<@W0ABC|someone>",
    "@here",
    "@channel",
    "@everyone",
    "<#C0SUPPORT1>",
    "<https://evil.example|click me>",
    "<!date^1700000000^{date}|x>",
    "*bold*",
    "_it_",
    "~gone~",
    "`code`",
    "```",
    "> quoted",
    '{"response_action": "clear"}',
    '{"type": "section", "text": null}',
    "&amp;",
    "&lt;",
    ">",
    "<",
    "&",
    "\u202e",
    "\u2066",
    "\u200b",
    "\u200d",
    "\ufeff",
    "\u2800",
    "\u3164",
    "\x00",
    "\x1b[31m",
    "\r\n",
    "\n",
    "\t",
    "\u2028",
    "\x85",
    "e\u0301",
    "\u0301",
    "🙂",
    "👩\u200d👩\u200d👧",
    "ESC-1",
    "esc-0042",
    "ESC-99999999999999999999999",
    "ESC-\u0663",
    "sev1",
    "' OR 1=1 --",
    "%s %(x)s {0}",
    "\\",
    "   ",
)

_chars = st.characters(exclude_categories=("Cs",))
_piece = st.one_of(st.sampled_from(FRAGMENTS), st.text(_chars, max_size=12))
short_text = st.lists(_piece, max_size=10).map("".join)
long_text = st.builds(
    lambda piece, n, cut: (piece or "x") * n + cut,
    short_text,
    st.integers(1, 600),
    short_text,
).map(lambda s: s[:5200])
# Anything a text field or a slash command may carry (up to ~5k characters).
user_text = st.one_of(short_text, short_text, long_text)
# A word with no whitespace (one argument of a slash command).
word = user_text.map(lambda s: "".join(s.split()) or "x")

BROADCAST = re.compile(r"<!(?:channel|here|everyone)\b|<!subteam\^")
MENTION = re.compile(r"<@[A-Za-z0-9]+(?:\|[^>]*)?>")
BARE_BROADCAST = re.compile(r"(?<![\w\u2060])@(?:channel|here|everyone)\b", re.IGNORECASE)
TRACEBACK = ("Traceback (most recent call last)", 'File "/')


def pings(text: str) -> set[str]:
    """Mentions and broadcasts that Slack would turn into a notification."""
    return set(BROADCAST.findall(text)) | set(MENTION.findall(text))


def texts(node, mrkdwn_only: bool = False) -> list[str]:
    """Every text of a Block Kit structure (blocks, a view, a message)."""
    if isinstance(node, list):
        return [t for item in node for t in texts(item, mrkdwn_only)]
    if not isinstance(node, dict):
        return []
    own = []
    if isinstance(node.get("text"), str) and (not mrkdwn_only or node.get("type") == "mrkdwn"):
        own.append(node["text"])
    return own + [t for value in node.values() for t in texts(value, mrkdwn_only)]


def check_limits(node) -> None:
    """Slack's limits that slack_sdk's validation leaves out."""
    if isinstance(node, list):
        for item in node:
            check_limits(item)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind == "section":
        assert len((node.get("text") or {}).get("text", "")) <= 3000
        assert all(len(f["text"]) <= 2000 for f in node.get("fields", []))
        assert len(node.get("fields", [])) <= 10
    if kind == "header":
        assert len(node["text"]["text"]) <= 150
    if kind == "context":
        assert len(node["elements"]) <= 10
        assert all(len(e.get("text", "")) <= 3000 for e in node["elements"])
    if kind == "plain_text_input" and "initial_value" in node:
        assert len(node["initial_value"]) <= node.get("max_length", 3000) <= 3000
    if kind in ("static_select",):
        for option in node.get("options", []):
            assert len(option["text"]["text"]) <= 75 and len(option["value"]) <= 150
    for value in node.values():
        check_limits(value)


def check_blocks(blocks: list[dict]) -> None:
    assert len(blocks) <= 50
    for block in blocks:
        Block.parse(block).validate_json()
    blockkit.check_message_blocks(blocks)  # also each element and text object inside
    check_limits(blocks)


def check_view(view: dict) -> None:
    View(**view).validate_json()
    blockkit.check_view(view)  # also each block, element and text object inside
    assert len(view["blocks"]) <= 100
    assert len(view.get("private_metadata", "")) <= 3000
    assert view["type"] == "home" or len(view["title"]["text"]) <= 24
    check_limits(view["blocks"])


def block_ids(view: dict) -> set[str]:
    return {b.get("block_id") for b in view["blocks"] if b.get("block_id")}
