"""The web process in-process: what /healthz tells the world; Socket Mode's retried events."""

import io
import json
import logging
import time
import uuid

import structlog
from slack_bolt import App
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier
from structlog.testing import LogCapture

from app import bot
from app import db as relay_db
from app.bot import build_app, wsgi_app
from app.drills.workspace import seed_workspace
from app.effects.transport import KeptAliveClient
from app.runtime import Relay
from app.settings import Settings
from app.simulator import SlackSimulator


def get(application, path):
    answer = {}

    def start_response(status, headers):
        answer["status"] = status

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "wsgi.input": io.BytesIO()}
    body = b"".join(application(environ, start_response))
    return answer["status"], json.loads(body)


def web(database_url, playbook):
    client = WebClient(token="xoxb-1", base_url="http://127.0.0.1:9/")
    app = App(client=client, token_verification_enabled=False)
    engine = relay_db.make_engine(database_url)
    return wsgi_app(app, Relay(playbook, relay_db.make_sessionmaker(engine), client)), engine


def test_healthz_reports_the_revision(database_url, playbook):
    application, engine = web(database_url, playbook)
    status, health = get(application, "/healthz")
    engine.dispose()
    assert status == "200 OK"
    assert health["ok"] is True and health["database"]["revision"] == relay_db.head_revision()


def test_healthz_says_not_ok_without_naming_the_failure(tmp_path, playbook):
    application, engine = web(f"sqlite:///{tmp_path}/no/such/dir/relay.db", playbook)
    status, health = get(application, "/healthz")
    engine.dispose()
    assert status == "503 Service Unavailable"
    assert health == {"ok": False, "database": {"ok": False, "dialect": "sqlite", "revision": None}}


def test_socket_mode_handles_a_redelivered_event_once(database_url, playbook):
    with SlackSimulator(signing_secret="socket") as sim:
        ws = seed_workspace(sim, playbook)
        client = WebClient(token=sim.bot_token, base_url=sim.api_url)
        engine = relay_db.make_engine(database_url)
        relay = Relay(playbook, relay_db.make_sessionmaker(engine), client)
        app = build_app(relay, Settings(_env_file=None, listener_threads=2))
        user = ws.users["amara.okafor"]
        envelope = {
            "type": "event_callback",
            "team_id": "T0TEST",
            "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event": {"type": "app_home_opened", "user": user, "tab": "home"},
        }
        publishes = lambda: [c for c in sim.calls if c.method == "views.publish"]  # noqa: E731
        for headers in (None, {"x-slack-retry-num": "1"}, {"x-slack-retry-num": "2"}):
            request = BoltRequest(body=dict(envelope), headers=headers, mode="socket_mode")
            assert app.dispatch(request).status == 200
            sim.wait_for(lambda: len(publishes()) >= 1, what="the home tab")
        sim.settle()
        engine.dispose()
        assert len(publishes()) == 1


def test_listeners_call_slack_over_relays_kept_alive_connections(database_url, playbook):
    """Bolt makes a client of its own for each request, which opens a connection per call;
    listeners get Relay's instead (app/effects/transport.py)."""
    with SlackSimulator(signing_secret="kept") as sim:
        ws = seed_workspace(sim, playbook)
        client = KeptAliveClient(token=sim.bot_token, base_url=sim.api_url, retry_handlers=[])
        engine = relay_db.make_engine(database_url)
        relay = Relay(playbook, relay_db.make_sessionmaker(engine), client)
        app = build_app(relay, Settings(_env_file=None, listener_threads=2))
        user, team = ws.users["amara.okafor"], playbook.teams["payments"]
        opened = lambda: [c for c in sim.calls if c.method == "views.open" and c.ok]  # noqa: E731
        before = sim.ws.connections
        for n in range(1, 4):
            command = {
                "command": "/esc",
                "text": f"new Checkout is slow {n}",
                "user_id": user,
                "channel_id": team.queue_channel,
                "team_id": sim.ws.team_id,
                "trigger_id": sim.issue_trigger(user),
            }
            assert app.dispatch(BoltRequest(body=command, mode="socket_mode")).status == 200
            sim.wait_for(lambda n=n: len(opened()) == n, what=f"form {n}")
        engine.dispose()
        # at most one: the one Bolt's start-up check (auth.test) opened may still serve them
        assert sim.ws.connections - before <= 1


# -- refused requests: one info line each, saying why, never the body ----------------------


def post(application, body: bytes, headers: dict):
    answer = {}

    def start_response(status, _headers):
        answer["status"] = status

    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": headers.pop("Content-Type"),
        "wsgi.input": io.BytesIO(body),
        **{"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()},
    }
    b"".join(application(environ, start_response))
    return answer["status"]


def test_every_refused_request_is_one_info_line_without_its_body(
    database_url, playbook, monkeypatch
):
    logs = LogCapture()  # at info, whatever level an earlier test configured structlog with
    info = structlog.make_filtering_bound_logger(logging.INFO)
    monkeypatch.setattr(bot, "log", structlog.wrap_logger(None, [logs], wrapper_class=info))
    secret, secret_text = "s3cret", "Sneaky-Unicorn-Body"
    client = WebClient(token="xoxb-1", base_url="http://127.0.0.1:9/")
    app = App(client=client, token_verification_enabled=False, signing_secret=secret)
    engine = relay_db.make_engine(database_url)
    relay = Relay(playbook, relay_db.make_sessionmaker(engine), client)
    application = wsgi_app(app, relay, signing_secret=secret)
    form = "application/x-www-form-urlencoded"
    body = f"command=/esc&text=new {secret_text}".encode()

    def signed(body: bytes, *, timestamp: int, key: str = secret):
        signature = SignatureVerifier(key).generate_signature(timestamp=str(timestamp), body=body)
        return {
            "Content-Type": form,
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": signature,
        }

    now, malformed = int(time.time()), b"payload=%5B" + secret_text.encode()
    cases = [
        ("signature", body, signed(body, timestamp=now, key="wrong")),
        ("stale_timestamp", body, signed(body, timestamp=now - 301)),
        ("timestamp", body, {**signed(body, timestamp=now), "X-Slack-Request-Timestamp": "x"}),
        ("body", malformed, signed(malformed, timestamp=now)),
    ]
    statuses = [post(application, raw, dict(headers)) for _, raw, headers in cases]
    engine.dispose()
    assert statuses == ["401 Unauthorized"] * 3 + ["400 Bad Request"]
    assert [(entry["event"], entry["log_level"], entry["why"]) for entry in logs.entries] == [
        ("request.refused", "info", why) for why, _, _ in cases
    ]
    assert secret_text not in repr(logs.entries)


def test_the_web_app_leaves_the_weekly_chart_library_unloaded():
    """matplotlib and numpy (about 45 MB in each web worker) are imported only by the process
    that sends a weekly report, not by every process that imports Relay's web app."""
    import subprocess
    import sys

    code = (
        "import sys, app.bot, app.clock;"
        " print(sorted({m.split('.')[0] for m in sys.modules} & {'matplotlib', 'numpy', 'PIL'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
