"""Channel names for war rooms and swarms, by Slack's rules: lowercase letters, digits,
'-' and '_', at most 80 characters."""

import re
import unicodedata

NAME_MAX = 80
PREFIX = {"war_room": "inc", "swarm": "swarm"}
SLUG_WORDS = 6


def slug(text: str) -> str:
    """`Checkout DOWN for Acme!` → `checkout-down-for-acme`: accents dropped, anything else
    that is not a letter or digit becomes one '-'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return "-".join(words[:SLUG_WORDS])


def channel_name(purpose: str, key: str, title: str) -> str:
    """`inc-esc-12-checkout-down` (war room) or `swarm-esc-12-...`; never more than 80."""
    base = f"{PREFIX[purpose]}-{slug(key)}"
    words = slug(title)
    name = f"{base}-{words}" if words else base
    return name[:NAME_MAX].rstrip("-_")


def renamed(name: str, purpose: str) -> str:
    """A swarm's channel name as a war room's: the prefix changes, the rest stays."""
    old = next((p for p in PREFIX.values() if name.startswith(p + "-")), None)
    rest = name[len(old) + 1 :] if old else name
    return f"{PREFIX[purpose]}-{rest}"[:NAME_MAX].rstrip("-_")
