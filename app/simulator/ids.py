"""Realistic Slack identifiers, timestamps, trigger ids and view hashes."""

from __future__ import annotations

import random
import re
import string
import threading
from collections.abc import Callable

ALNUM = string.ascii_uppercase + string.digits
TRIGGER_RE = re.compile(r"^\d+\.\d+\.[0-9a-f]+$")


class IdMaker:
    def __init__(self, clock: Callable[[], float], seed: int | None = None) -> None:
        self._clock = clock
        self._rng = random.Random(seed)
        self._used: set[str] = set()
        self._last_us = 0
        self._lock = threading.Lock()

    def new(self, prefix: str, length: int = 11) -> str:
        """An id such as "U0ABC12DEF3": prefix, a zero, then uppercase letters/digits."""
        with self._lock:
            while True:
                tail = "".join(self._rng.choice(ALNUM) for _ in range(length - len(prefix) - 1))
                value = f"{prefix}0{tail}"
                if value not in self._used:
                    self._used.add(value)
                    return value

    def short(self, length: int = 5) -> str:
        """A short mixed-case id like the block_id/action_id Slack fills in ("hspI")."""
        chars = string.ascii_letters + string.digits
        with self._lock:
            return "".join(self._rng.choice(chars) for _ in range(length))

    def ts(self) -> str:
        """A message timestamp "1700000000.000100", strictly increasing."""
        with self._lock:
            now_us = int(self._clock() * 1_000_000)
            self._last_us = max(now_us, self._last_us + 1)
            return f"{self._last_us // 1_000_000}.{self._last_us % 1_000_000:06d}"

    def trigger(self) -> str:
        """A trigger id like "12345.98765.abcd2358fdea"."""
        with self._lock:
            a = self._rng.randint(10**11, 10**12 - 1)
            b = self._rng.randint(10**10, 10**11 - 1)
            return f"{a}.{b}.{self._rng.getrandbits(128):032x}"

    def view_hash(self) -> str:
        with self._lock:
            tail = "".join(self._rng.choice(string.ascii_letters + string.digits) for _ in range(8))
        return f"{int(self._clock())}.{tail}"

    def token(self, prefix: str) -> str:
        with self._lock:
            parts = [str(self._rng.randint(10**11, 10**12 - 1)) for _ in range(2)]
            tail = "".join(
                self._rng.choice(string.ascii_letters + string.digits) for _ in range(24)
            )
        return "-".join([prefix, *parts, tail])
