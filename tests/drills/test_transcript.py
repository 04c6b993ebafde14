"""The drill transcript shows Slack's markup the way a person reads it."""

from app.drills.transcript import readable

TOKEN = "<!date^1795438800^{date_short_pretty} {time}|Mon 23 Nov 13:00 GMT>"


def test_date_tokens_read_as_their_fallback():
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": f"*Response*\ndue {TOKEN}"}}]
    assert readable(None, blocks, {}) == "Response due Mon 23 Nov 13:00 GMT"
    linked = "<!date^1795438800^{date}^https://example.com/x|23 Nov>"
    assert readable(f"by {linked}, <@U0AAA>", None, {"U0AAA": "Amara"}) == "by 23 Nov, @Amara"


def test_escaped_text_that_looks_like_a_token_stays_as_typed():
    typed = "&lt;!date^1^{time}|soon&gt;"
    assert readable(typed, None, {}) == "<!date^1^{time}|soon>"
