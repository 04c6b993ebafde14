"""The web process in-process: what /healthz tells the world."""

import io
import json

from slack_bolt import App
from slack_sdk import WebClient

from app import db as relay_db
from app.bot import wsgi_app
from app.runtime import Relay


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
