"""Escaping: user text can never ping anyone or forge a link."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from blocks.text import WORD_JOINER, escape, mention, minutes, plain, slack_date, zone_time


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


LONDON = ZoneInfo("Europe/London")


def test_slack_date_is_a_token_with_the_team_zone_as_fallback():
    when = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
    assert slack_date(when, LONDON) == (
        "<!date^1795438800^{date_short_pretty} {time}|Mon 23 Nov 13:00 GMT>"
    )
    # The timestamp is the instant, whatever zone the datetime carries; the fallback follows
    # the zone asked for (BST in summer, CET in Berlin).
    same = when.astimezone(timezone(timedelta(hours=-5)))
    assert slack_date(same, LONDON) == slack_date(when, LONDON)
    summer = datetime(2026, 7, 1, 8, 30, tzinfo=UTC)
    assert slack_date(summer, LONDON).endswith("|Wed 01 Jul 09:30 BST>")
    assert slack_date(when, ZoneInfo("Europe/Berlin")).endswith("|Mon 23 Nov 14:00 CET>")


def test_slack_date_without_a_time_and_with_a_naive_time():
    assert slack_date(None, LONDON) == "no deadline"
    with pytest.raises(ValueError):
        slack_date(datetime(2026, 11, 23, 13, 0), LONDON)


def test_zone_time_is_for_plain_text():
    assert zone_time(datetime(2026, 11, 23, 13, 0, tzinfo=UTC), LONDON) == "Mon 23 Nov 13:00 GMT"
