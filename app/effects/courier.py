"""Delivery after commit, off the request's thread (the web process).

A listener that committed a change hands its ticket to the courier and returns, so Bolt's
threads are free for the next request at once. One courier thread per process delivers the
rows of every ticket handed to it since its last pass in one delivery run (the lanes of that
run go out at once; a card changed by several clicks meanwhile is updated once). Nothing
is lost if the process dies first: the rows are committed, and the clock delivers them."""

import threading
from collections.abc import Callable

import structlog

log = structlog.get_logger()


class Courier:
    def __init__(self, deliver: Callable[[tuple[str, list[int]]], int]):
        self._deliver = deliver
        self._lock = threading.Lock()
        self._waiting: set[int] = set()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="courier", daemon=True)
        self._thread.start()

    def hand(self, ticket_id: int) -> None:
        with self._lock:
            self._waiting.add(ticket_id)
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            with self._lock:
                ids, self._waiting = sorted(self._waiting), set()
            if ids:
                try:
                    self._deliver(("ticket", ids))
                except Exception:  # noqa: BLE001 - the courier outlives a failed run
                    log.exception("courier.failed", tickets=len(ids))
