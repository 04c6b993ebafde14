"""Fixtures: a started simulator, a real slack_sdk WebClient, a tiny signed-request receiver."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import pytest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from app.simulator import SlackSimulator
from tests.conftest import shared_path  # noqa: F401 (re-exported for the simulator tests)

SECRET = "test-signing-secret"


class FakeClock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Receiver:
    """Plays the app's HTTP endpoint: checks the signature, records, answers via `handler`."""

    def __init__(self, signing_secret: str, clock: Callable[[], float] | None = None) -> None:
        self.verifier = (
            SignatureVerifier(signing_secret, clock=_SdkClock(clock))
            if clock
            else SignatureVerifier(signing_secret)
        )
        self.requests: list[dict] = []
        self.handler: Callable[[dict], tuple[int, object]] = lambda request: (200, "")
        receiver = self

        class _Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, answer = receiver.receive(body, dict(self.headers.items()))
                data = answer if isinstance(answer, str) else json.dumps(answer)
                self.send_response(status)
                kind = "text/plain" if isinstance(answer, str) else "application/json"
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data.encode())))
                self.end_headers()
                self.wfile.write(data.encode())

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/slack/events"

    def receive(self, body: bytes, headers: dict) -> tuple[int, object]:
        valid = self.verifier.is_valid_request(body, headers)
        request = {"headers": headers, "body": body, "valid": valid}
        text = body.decode()
        if headers.get("Content-Type", "").startswith("application/json"):
            request["json"] = json.loads(text)
        else:
            request["form"] = dict(parse_qsl(text, keep_blank_values=True))
            if "payload" in request["form"]:
                request["payload"] = json.loads(request["form"]["payload"])
        self.requests.append(request)
        if not valid:
            return 401, {"error": "invalid request"}
        return self.handler(request)

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _SdkClock:
    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock

    def now(self) -> float:
        return self.clock()


@pytest.fixture
def sim():
    with SlackSimulator(SECRET) as simulator:
        yield simulator


@pytest.fixture
def client(sim) -> WebClient:
    return WebClient(token=sim.bot_token, base_url=sim.api_url)


@pytest.fixture
def receiver(sim):
    app = Receiver(SECRET, sim.ws.clock)
    sim.connect(app.url)
    yield app
    app.stop()


@pytest.fixture
def people(sim) -> dict:
    """alice and bob in #general with the bot; carol outside it."""
    alice = sim.add_user("alice", real_name="Alice Adams", email="alice@example.com")
    bob = sim.add_user("bob", tz="Europe/Paris")
    carol = sim.add_user("carol")
    general = sim.add_channel("general", members=[alice, bob])
    return {"alice": alice, "bob": bob, "carol": carol, "general": general}
