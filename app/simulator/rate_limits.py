"""Slack's rate limits, opt-in (`SlackSimulator(rate_limits=True)`, `--rate-limits`).

Each Web API method has a tier, counted per workspace: Tier1 1 a minute, Tier2 20, Tier3 50,
Tier4 100, with bursts allowed. chat.postMessage is special: about one message a second per
channel, a short burst allowed. A call over its limit is answered HTTP 429 with
`{"ok": false, "error": "ratelimited"}` and Retry-After (whole seconds until it would pass).
Other special tiers (auth.test, chat.getPermalink) are not limited here. `TIERS` names the
tier of every method the simulator serves; a contract test checks it against
../shared/slack/rate_limit_tiers.java-slack-sdk.json."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

SPECIAL = "special"  # SpecialTier_<method> in the published table
TIERS = {
    "auth.test": SPECIAL,
    "bookmarks.add": "Tier2",
    "canvases.create": "Tier2",
    "canvases.edit": "Tier3",
    "conversations.canvases.create": "Tier2",
    "bookmarks.list": "Tier3",
    "bookmarks.remove": "Tier2",
    "chat.delete": "Tier3",
    "chat.getPermalink": SPECIAL,
    "chat.postEphemeral": "Tier4",
    "chat.postMessage": SPECIAL,
    "chat.update": "Tier3",
    "conversations.archive": "Tier2",
    "conversations.create": "Tier2",
    "conversations.history": "Tier3",
    "conversations.info": "Tier3",
    "conversations.invite": "Tier3",
    "conversations.join": "Tier3",
    "conversations.list": "Tier2",
    "conversations.members": "Tier4",
    "conversations.open": "Tier3",
    "conversations.rename": "Tier2",
    "conversations.replies": "Tier3",
    "conversations.setPurpose": "Tier2",
    "conversations.setTopic": "Tier2",
    "conversations.unarchive": "Tier2",
    "files.completeUploadExternal": "Tier4",
    "files.getUploadURLExternal": "Tier4",
    "pins.add": "Tier2",
    "pins.remove": "Tier2",
    "reactions.add": "Tier3",
    "reactions.remove": "Tier2",
    "users.info": "Tier4",
    "users.lookupByEmail": "Tier3",
    "views.open": "Tier4",
    "views.publish": "Tier4",
    "views.push": "Tier4",
    "views.update": "Tier4",
}
# tier -> (calls a minute, burst)
PER_MINUTE = {"Tier1": (1, 1), "Tier2": (20, 5), "Tier3": (50, 12), "Tier4": (100, 25)}
POST_PER_CHANNEL = (60, 3)  # chat.postMessage: one a second per channel, bursts of 3


def limit_for(method: str, args: dict) -> tuple[tuple, float, int] | None:
    """The bucket a call counts against: its key, calls a second, burst; None: unlimited."""
    if method == "chat.postMessage":
        per_minute, burst = POST_PER_CHANNEL
        return (method, str(args.get("channel"))), per_minute / 60, burst
    tier = TIERS.get(method)
    if tier not in PER_MINUTE:
        return None
    per_minute, burst = PER_MINUTE[tier]
    return (method,), per_minute / 60, burst


class RateLimits:
    """Token buckets, one per method (per channel for chat.postMessage)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[tuple, tuple[float, float]] = {}  # key -> (tokens, when)

    def check(self, method: str, args: dict) -> int | None:
        """None when the call may go (and it is counted); else the Retry-After seconds."""
        limit = limit_for(method, args)
        if limit is None:
            return None
        key, rate, burst = limit
        with self._lock:
            now = self._clock()
            tokens, then = self._buckets.get(key, (burst, now))
            tokens = min(burst, tokens + (now - then) * rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return None
            self._buckets[key] = (tokens, now)
            return max(1, math.ceil((1 - tokens) / rate))
