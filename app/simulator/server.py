"""The HTTP side: /api/<method> for the Web API and /response/<id> for response_urls."""

from __future__ import annotations

import json
import ssl
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from app.simulator import responses, web_api
from app.simulator.faults import Faults
from app.simulator.methods import files
from app.simulator.rate_limits import RateLimits
from app.simulator.records import Call
from app.simulator.state import Workspace


def parse_args(query: str, body: bytes, content_type: str) -> dict:
    """Query string and body merged; JSON or form-encoded bodies both work."""
    args: dict = dict(parse_qsl(query, keep_blank_values=True))
    text = body.decode("utf-8", errors="replace")
    if "application/json" in content_type:
        data = json.loads(text) if text.strip() else {}
        if not isinstance(data, dict):
            raise ValueError("JSON body must be an object")
        args.update(data)
    elif text:
        args.update(parse_qsl(text, keep_blank_values=True))
    return args


class Handler(BaseHTTPRequestHandler):
    server_version = "SlackSimulator/1.0"
    # As Slack: connections are kept alive between calls (every answer has its length), and
    # an answer goes out at once (headers and body are two writes: with Nagle's algorithm a
    # kept-alive connection waited 40 ms for the delayed ACK of the first).
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    ws: Workspace  # set on a subclass per simulator
    faults: Faults
    limits: RateLimits | None = None

    def log_message(self, format, *args) -> None:  # noqa: A002  (quiet)
        pass

    def setup(self) -> None:
        super().setup()
        with self.ws.lock:
            self.ws.connections += 1

    def do_GET(self) -> None:
        self._route()

    def do_POST(self) -> None:
        self._route()

    def _route(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        ws = self.ws
        with ws.lock:
            ws.in_flight += 1
            ws.last_activity = time.monotonic()
        try:
            if url.path.startswith("/api/"):
                self._api(url.path[len("/api/") :], url.query, body)
            elif url.path.startswith("/upload/") and self.command == "POST":
                known = files.receive_upload(ws, url.path[len("/upload/") :], body)
                status, text = (200, f"OK - {len(body)}") if known else (404, "not found")
                self._send(status, text.encode(), "text/plain; charset=utf-8")
            elif url.path.startswith("/response/") and self.command == "POST":
                status, text = responses.post(ws, url.path[len("/response/") :], body)
                self._send(status, text.encode(), "text/plain; charset=utf-8")
            else:
                self._send(404, b"not found", "text/plain")
        except Exception:
            traceback.print_exc(file=sys.stderr)
            self._json(500, {"ok": False, "error": "internal_error"})
        finally:
            with ws.lock:
                ws.in_flight -= 1
                ws.last_activity = time.monotonic()

    def _api(self, name: str, query: str, body: bytes) -> None:
        try:
            args = parse_args(query, body, self.headers.get("Content-Type", ""))
        except ValueError:
            self._json(200, {"ok": False, "error": "invalid_arguments"})
            return
        auth = self.headers.get("Authorization", "")
        token = auth[len("Bearer ") :].strip() if auth.startswith("Bearer ") else None
        token = token or args.pop("token", None)
        args.pop("token", None)
        if self.faults.latency:
            time.sleep(self.faults.latency)
        wait = self.limits.check(name, args) if self.limits is not None else None
        if wait is not None:
            with self.ws.lock:
                self.ws.calls.append(Call(name, dict(args), False, "ratelimited"))
            self._json(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(wait)})
            return
        fault = self.faults.take(name)
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.delay)
        elif fault is not None and fault.kind == "lost":
            web_api.answer(self.ws, name, token, args)
            self.close_connection = True
            return
        elif fault is not None:
            self._fault(name, args, fault)
            return
        self._json(200, web_api.answer(self.ws, name, token, args))

    def _fault(self, name, args, fault) -> None:
        if fault.kind == "ratelimit":
            code, status, headers = "ratelimited", 429, {"Retry-After": str(fault.retry_after)}
        else:
            code, status, headers = "internal_error", fault.status, {}
        with self.ws.lock:
            self.ws.calls.append(Call(name, dict(args), False, code))
        self._json(status, {"ok": False, "error": code}, headers)

    def _json(self, status: int, data: dict, headers: dict | None = None) -> None:
        payload = json.dumps(data).encode()
        self._send(status, payload, "application/json; charset=utf-8", headers)

    def _send(self, status, payload: bytes, content_type: str, headers=None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)


class _Server(ThreadingHTTPServer):
    # Slack accepts what a busy app sends; the standard library's backlog of 5 would reset
    # connections under load that Slack would not.
    request_queue_size = 1024
    daemon_threads = True


class SimServer:
    """A threading HTTP server in a daemon thread."""

    def __init__(
        self,
        ws: Workspace,
        faults: Faults,
        host: str = "127.0.0.1",
        port: int = 0,
        limits: RateLimits | None = None,
        tls: ssl.SSLContext | None = None,
    ):
        bound = {"ws": ws, "faults": faults, "limits": limits}
        handler = type("BoundHandler", (Handler,), bound)
        self.httpd = _Server((host, port), handler)
        self.scheme = "https" if tls else "http"
        if tls:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        ws.base_url = self.base_url
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"{self.scheme}://{host}:{port}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
