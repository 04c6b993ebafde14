"""Plain records the simulator keeps and returns: observations, calls, pings, inbound answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Observation:
    """Something a person could see (or that happened) in the simulated workspace.

    `user` is who saw it / who it was for (None for plain channel messages, which every member
    sees). `public` means every current member of `channel` can see it. `author` is who caused it.
    """

    seq: int
    at: float
    kind: str
    user: str | None = None
    channel: str | None = None
    ts: str | None = None
    thread_ts: str | None = None
    text: str | None = None
    blocks: list | None = None
    view: dict | None = None
    author: str | None = None
    public: bool = False


@dataclass(frozen=True)
class Call:
    """One Web API request the simulator received."""

    method: str
    args: dict
    ok: bool
    error: str | None = None


@dataclass(frozen=True)
class Ping:
    """A notification Slack would send because of a mention in a new message."""

    channel: str
    ts: str
    target: str  # "channel" | "here" | "everyone" | "S…" (user group) | "U…" (user)
    by: str | None = None  # author of the message


@dataclass
class SimResponse:
    """The app's answer to an inbound request the simulator sent (as Slack)."""

    status: int
    body: str
    json: dict | None
    elapsed_ms: float
    errors: dict | None = None
    problem: str | None = None  # what Slack would show as a failure (slow ack, bad response_action)
    payload: dict[str, Any] = field(default_factory=dict, repr=False)  # what was sent
    retried: list[SimResponse] = field(default_factory=list, repr=False)  # redeliveries


class SlackError(Exception):
    """A Web API error answer: {"ok": false, "error": code, **extra}."""

    def __init__(self, code: str, **extra: Any) -> None:
        super().__init__(code)
        self.code = code
        self.extra = extra
