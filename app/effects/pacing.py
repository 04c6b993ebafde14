"""What a 429 taught this process. Slack limits each Web API method per workspace (tiers),
and chat.postMessage per channel. After a 429 with Retry-After, the outbox's calls in the
same scope (the method, or the method and channel for chat.postMessage) are answered here
with the same 429 until then, without asking Slack again; other methods and other channels
go on. Times come from the outbox's clock (`now`), so a test's clock moves them too."""

import math
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

PER_CHANNEL = {"chat.postMessage"}  # Slack: about one message a second per channel


def scope(method: str, args: dict) -> tuple:
    if method in PER_CHANNEL:
        return (method, args.get("channel"))
    return (method,)


def retry_after(response) -> int:
    """Seconds a 429 asks to wait (at least 1)."""
    headers = {k.lower(): v for k, v in (response.headers or {}).items()}
    value = headers.get("retry-after")
    value = value[0] if isinstance(value, list) else value
    try:
        return max(1, math.ceil(float(value)))
    except (TypeError, ValueError):
        return 1


class Pacing:
    """Until when each scope is rate-limited; shared by a process's deliveries."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._until: dict[tuple, datetime] = {}

    def left(self, where: tuple, now: datetime) -> float:
        with self._lock:
            until = self._until.get(where)
            if until is not None and until <= now:
                del self._until[where]
                until = None
        return (until - now).total_seconds() if until else 0.0

    def note(self, where: tuple, now: datetime, seconds: int) -> None:
        with self._lock:
            self._until[where] = max(self._until.get(where, now), now + timedelta(seconds=seconds))

    def client(self, client: WebClient, now: Callable[[], datetime]) -> "Paced":
        return Paced(client, self, now)


class Paced:
    """A Web API client that remembers 429s (see the module docstring)."""

    def __init__(self, client, pacing: Pacing, now: Callable[[], datetime]) -> None:
        self.client, self.pacing, self.now = client, pacing, now

    def api_call(self, method: str, **kwargs):
        where = scope(method, kwargs.get("json") or kwargs.get("params") or {})
        left = self.pacing.left(where, self.now())
        if left > 0:
            raise SlackApiError("ratelimited (an earlier Retry-After)", _ratelimited(method, left))
        try:
            return self.client.api_call(method, **kwargs)
        except SlackApiError as exc:
            if exc.response.status_code == 429:
                self.pacing.note(where, self.now(), retry_after(exc.response))
            raise

    def __getattr__(self, name):
        return getattr(self.client, name)


def _ratelimited(method: str, seconds: float) -> SlackResponse:
    return SlackResponse(
        client=None,
        http_verb="POST",
        api_url=method,
        req_args={},
        data={"ok": False, "error": "ratelimited"},
        headers={"Retry-After": str(max(1, math.ceil(seconds)))},
        status_code=429,
    )
