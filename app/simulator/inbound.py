"""Requests Slack sends to the app: signed HTTP POSTs with realistic payloads."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from app.simulator.records import SimResponse
from app.simulator.state import Workspace

ACK_LIMIT_MS = 3000.0


def sign(signing_secret: str, timestamp: str, body: bytes | str) -> str:
    """X-Slack-Signature for a body: "v0=" + HMAC-SHA256 of "v0:<timestamp>:<body>"."""
    signature = SignatureVerifier(signing_secret).generate_signature(timestamp=timestamp, body=body)
    assert signature is not None
    return signature


def _parse(body: str) -> dict | None:
    if not body.strip().startswith("{"):
        return None
    try:
        return json.loads(body)
    except json.JSONDecodeError:
        return None


class Sender:
    """Delivers signed requests to the app's request URL and measures the ack."""

    def __init__(self, ws: Workspace, signing_secret: str, timeout: float = 10.0) -> None:
        self.ws = ws
        self.signing_secret = signing_secret
        self.request_url: str | None = None
        self.timeout = timeout

    def send_raw(self, body: bytes, headers: dict) -> SimResponse:
        if not self.request_url:
            raise RuntimeError("call sim.connect(request_url) before sending requests to the app")
        request = urllib.request.Request(self.request_url, data=body, method="POST")
        request.add_header("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
        for key, value in headers.items():
            request.add_header(key, value)
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as reply:
                status, text = reply.status, reply.read().decode("utf-8", errors="replace")
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read().decode("utf-8", errors="replace")
        except TimeoutError:
            elapsed = (time.monotonic() - started) * 1000
            return SimResponse(0, "", None, elapsed, problem=f"no answer within {self.timeout}s")
        except urllib.error.URLError as exc:
            raise ConnectionError(f"cannot reach {self.request_url}: {exc.reason}") from exc
        elapsed = (time.monotonic() - started) * 1000
        with self.ws.lock:  # sim.settle() counts from the app's answer too
            self.ws.last_activity = time.monotonic()
        problem = None
        if status != 200:
            problem = f"app answered HTTP {status}"
        elif elapsed > ACK_LIMIT_MS:
            problem = f"ack took {elapsed:.0f} ms (> 3000 ms): Slack shows the user an error"
        return SimResponse(status, text, _parse(text), elapsed, problem=problem)

    def signed(self, body: bytes, content_type: str) -> SimResponse:
        timestamp = str(int(self.ws.clock()))
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": sign(self.signing_secret, timestamp, body),
        }
        return self.send_raw(body, headers)

    def form(self, fields: dict) -> SimResponse:
        return self.signed(urlencode(fields).encode(), "application/x-www-form-urlencoded")

    def interactive(self, payload: dict) -> SimResponse:
        response = self.form({"payload": json.dumps(payload)})
        response.payload = payload
        return response

    def event(self, event: dict, *, retries: int = 0) -> SimResponse:
        """Send an event_callback; `retries` more times as Slack redelivers one it thinks
        was not acknowledged: the same envelope (same event_id), signed afresh, with
        X-Slack-Retry-Num and X-Slack-Retry-Reason. Returns the first delivery's answer;
        the redeliveries' answers are in its `retried`."""
        ws = self.ws
        envelope = {
            "token": ws.verification_token,
            "team_id": ws.team_id,
            "api_app_id": ws.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": ws.ids.new("Ev", 12),
            "event_time": int(ws.clock()),
            "authed_users": [ws.bot_user_id],
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": ws.team_id,
                    "user_id": ws.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        body = json.dumps(envelope).encode()
        response = self.signed(body, "application/json")
        response.payload = envelope
        response.retried = [self.redeliver(body, n) for n in range(1, retries + 1)]
        return response

    def redeliver(self, body: bytes, attempt: int) -> SimResponse:
        timestamp = str(int(self.ws.clock()))
        headers = {
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": sign(self.signing_secret, timestamp, body),
            "X-Slack-Retry-Num": str(attempt),
            "X-Slack-Retry-Reason": "http_timeout",
        }
        return self.send_raw(body, headers)


def common(ws: Workspace, user_id: str, kind: str, *, username: bool = True) -> dict:
    """Fields every interactive payload carries."""
    return {
        "type": kind,
        "user": ws.user_ref(user_id, username=username),
        "api_app_id": ws.app_id,
        "token": ws.verification_token,
        "team": {"id": ws.team_id, "domain": ws.domain},
        "enterprise": None,
        "is_enterprise_install": False,
    }


def channel_ref(ws: Workspace, channel_id: str) -> dict:
    channel = ws.channel(channel_id)
    return {"id": channel.id, "name": "directmessage" if channel.is_im else channel.name}


BaseUrl = Callable[[], str]
