"""Delivery after commit, off the request's thread (the web process).

A listener that committed a change hands its ticket to the courier and returns, so Bolt's
threads are free for the next request at once. One courier thread per process delivers the
rows of every ticket handed to it since its last pass in one delivery run (the lanes of that
run go out at once; a card changed by several clicks meanwhile is updated once). Answers
come first: a pass waits (at most HOLD) while the process is answering Slack requests, which
Slack gives up on after 3 s, so a burst of forms is acknowledged before what it set off is
sent. Nothing is lost if the process dies first: the rows are committed, and the clock
delivers them."""

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import structlog

log = structlog.get_logger()

HOLD = 0.5  # seconds a pass waits at most for the requests being answered


class Answering:
    """How many Slack requests this process is answering right now."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0

    @contextmanager
    def one(self) -> Iterator[None]:
        with self._lock:
            self._count += 1
        try:
            yield
        finally:
            with self._lock:
                self._count -= 1

    def busy(self) -> bool:
        return self._count > 0


class Courier:
    def __init__(
        self,
        deliver: Callable[[tuple[str, list[int]]], int],
        busy: Callable[[], bool] = lambda: False,
        hold: float = HOLD,
    ):
        self._deliver, self._busy, self._hold = deliver, busy, hold
        self._lock = threading.Lock()
        self._waiting: set[int] = set()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="courier", daemon=True)
        self._thread.start()

    def hand(self, ticket_id: int) -> None:
        with self._lock:
            self._waiting.add(ticket_id)
        self._wake.set()

    def _quiet(self) -> None:
        """Until no request is being answered, or HOLD has passed."""
        until = time.monotonic() + self._hold
        while self._busy() and time.monotonic() < until:
            time.sleep(0.005)

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            self._quiet()
            with self._lock:
                ids, self._waiting = sorted(self._waiting), set()
            if ids:
                try:
                    self._deliver(("ticket", ids))
                except Exception:  # noqa: BLE001 - the courier outlives a failed run
                    log.exception("courier.failed", tickets=len(ids))
