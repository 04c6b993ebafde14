"""What lets a drill run Relay in-process: the web server, and Bolt's listener pool
counting work in flight so the drill knows when Relay is done."""

import threading
from concurrent.futures import ThreadPoolExecutor
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer


class CountingExecutor(ThreadPoolExecutor):
    """Bolt's listener pool, counting work in flight so a drill knows when Relay is done."""

    def __init__(self, workers: int = 16):
        super().__init__(max_workers=workers)
        self.busy = 0
        self._lock = threading.Lock()

    def submit(self, fn, /, *args, **kwargs):
        with self._lock:
            self.busy += 1

        def counted():
            try:
                return fn(*args, **kwargs)
            finally:
                with self._lock:
                    self.busy -= 1

        return super().submit(counted)


class Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass
