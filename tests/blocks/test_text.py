"""Escaping: user text can never ping anyone or forge a link."""

import pytest

from blocks.text import WORD_JOINER, escape, mention, minutes, plain


@pytest.mark.parametrize(
    "typed, shown",
    [
        ("<!channel> look", "&lt;!channel&gt; look"),
        ("<!subteam^S0123ABCD|@oncall>", "&lt;!subteam^S0123ABCD|@oncall&gt;"),
        ("<@U0123ABCDE>", "&lt;@U0123ABCDE&gt;"),
        ("<https://evil.example|bank>", "&lt;https://evil.example|bank&gt;"),
        ("a & b", "a &amp; b"),
        ("@here now", f"@{WORD_JOINER}here now"),
        ("@Channel", f"@{WORD_JOINER}Channel"),
        ("mail me@everyone.example", f"mail me@{WORD_JOINER}everyone.example"),
    ],
)
def test_escape(typed, shown):
    assert escape(typed) == shown


def test_plain_defuses_and_truncates():
    assert plain("@everyone " + "x" * 200, 20) == f"@{WORD_JOINER}everyone " + "x" * 8 + "…"


def test_mention_only_for_real_user_ids():
    assert mention("U0123ABCDE") == "<@U0123ABCDE>"
    assert mention("!channel") == "nobody"
    assert mention(None) == "nobody"


def test_minutes():
    assert [minutes(m) for m in (15, 60, 90, 1440, 1530, 0)] == [
        "15 min",
        "1 h",
        "1 h 30 min",
        "1 d",
        "1 d 1 h 30 min",
        "0 min",
    ]
