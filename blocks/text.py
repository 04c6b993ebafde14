"""Text that reaches Slack. User text is escaped so it can never ping or forge a link."""

import re
from datetime import datetime, tzinfo

WORD_JOINER = "\u2060"
# No \b after the word: "@here_now" cut to 8 characters would read "@here…", a broadcast.
_BROADCAST = re.compile(r"@(channel|here|everyone)", re.IGNORECASE)
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


def _defuse(text: str) -> str:
    # A word joiner after "@" keeps "@here" readable but stops Slack treating it as a mention.
    return _BROADCAST.sub(lambda m: "@" + WORD_JOINER + m.group(1), text)


def escape(text: str | None) -> str:
    """User text for a mrkdwn field: `<!channel>`, `<@U…>` and `<url|label>` show as typed."""
    text = (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _defuse(text)


def plain(text: str | None, limit: int | None = None) -> str:
    """User text for a plain_text field (never parsed for mentions), cut to `limit`."""
    text = _defuse(text or "")
    return truncate(text, limit) if limit else text


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def mention(user_id: str | None) -> str:
    """A mention Relay itself makes, of a user id it has checked."""
    if not user_id or not _USER_ID.match(user_id):
        return "nobody"
    return f"<@{user_id}>"


def zone_time(when: datetime, zone: tzinfo) -> str:
    """A time in one zone, `Mon 23 Nov 09:30 GMT`: for plain_text and as a date token's fallback."""
    return when.astimezone(zone).strftime("%a %d %b %H:%M %Z")


def slack_date(when: datetime | None, fallback_zone: tzinfo) -> str:
    """A time for a mrkdwn field as a Slack date token: each reader sees it in their own zone;
    clients that can't render the token show the fallback in `fallback_zone`. Built by Relay,
    so it is never passed through `escape` (that would show the token as typed)."""
    if when is None:
        return "no deadline"
    if when.tzinfo is None:
        raise ValueError(f"slack_date needs an aware datetime (got naive {when.isoformat()})")
    fallback = zone_time(when, fallback_zone)
    return f"<!date^{int(when.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def minutes(total: int, *, days: bool = True) -> str:
    """15 min, 4 h, 1 d 6 h (or 30 h with days=False: business time has no 24-hour days)."""
    days, rest = divmod(total, 1440) if days else (0, total)
    hours, mins = divmod(rest, 60)
    parts = [
        f"{days} d" if days else "",
        f"{hours} h" if hours else "",
        f"{mins} min" if mins else "",
    ]
    return " ".join(p for p in parts if p) or "0 min"
