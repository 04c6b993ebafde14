"""Injected Web API faults: rate limits, server errors, slow answers."""

from __future__ import annotations

import threading
from dataclasses import dataclass

KINDS = ("ratelimit", "server_error", "slow", "lost")


@dataclass
class Fault:
    method: str  # a method name, or "*" for any method
    kind: str
    remaining: int
    retry_after: int = 1
    delay: float = 0.0
    status: int = 500


class Faults:
    def __init__(self, latency: float = 0.0) -> None:
        self._lock = threading.Lock()
        self._items: list[Fault] = []
        self.latency = latency  # seconds every Web API call takes before it is answered

    def inject(
        self,
        method: str,
        kind: str,
        *,
        times: int = 1,
        retry_after: int = 1,
        delay: float = 0.0,
        status: int = 500,
    ) -> Fault:
        """The next `times` calls of `method` fail: "ratelimit" (HTTP 429 + Retry-After),
        "server_error" (HTTP `status`, 500 or 503), "slow" (sleep `delay`, then answer), or
        "lost" (the call takes effect, then the connection drops without an answer)."""
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {KINDS}")
        if kind == "server_error" and not 500 <= status <= 599:
            raise ValueError("server_error status must be 5xx")
        fault = Fault(method, kind, times, retry_after, delay, status)
        with self._lock:
            self._items.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    @property
    def pending(self) -> list[Fault]:
        with self._lock:
            return [f for f in self._items if f.remaining > 0]

    def take(self, method: str) -> Fault | None:
        """The first armed fault for `method`, used up once."""
        with self._lock:
            for fault in self._items:
                if fault.remaining > 0 and fault.method in (method, "*"):
                    fault.remaining -= 1
                    return fault
            return None
