"""The Bolt app, the WSGI web process (HTTP mode) and Socket Mode."""

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import structlog
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from app import db
from app.listeners import register_listeners
from app.logs import configure_logging
from app.playbook import PlaybookError, load_playbook
from app.runtime import Relay
from app.settings import Settings

log = structlog.get_logger()

HOW_TO_GET_TOKENS = """Relay cannot start: {missing} not set.
Create the Slack app from manifest.yml (api.slack.com/apps -> Create New App -> From a manifest),
install it to your workspace, then put these in the environment or in .env:
  SLACK_BOT_TOKEN       "Bot User OAuth Token" (xoxb-...) under OAuth & Permissions
  SLACK_SIGNING_SECRET  "Signing Secret" under Basic Information (HTTP mode)
  SLACK_APP_TOKEN       an app-level token with connections:write (xapp-...), Socket Mode
To see Relay work without a workspace, run: make drill"""


class StartupError(SystemExit):
    """Relay refuses to start; the message says why and what to do."""


def web_client(settings: Settings, token: str) -> WebClient:
    # No retries inside slack_sdk: a re-sent post whose answer was lost would post twice;
    # the outbox retries, after looking for what reached Slack.
    return WebClient(token=token, base_url=settings.slack_api_url, timeout=10, retry_handlers=[])


def build_relay(settings: Settings, *, mode: str) -> Relay:
    """Settings -> checked tokens, playbook, database and client. Raises StartupError."""
    missing = settings.missing_for(mode)
    if missing:
        raise StartupError(HOW_TO_GET_TOKENS.format(missing=" and ".join(missing)))
    try:
        playbook = load_playbook(settings.relay_playbook)
    except PlaybookError as exc:
        lines = "\n  ".join(exc.errors)
        raise StartupError(
            f"Relay cannot start: {settings.relay_playbook} is invalid:\n  {lines}"
        ) from None
    engine = db.make_engine(settings.database_url)
    if engine.dialect.name == "sqlite":
        db.upgrade(settings.database_url)
    token = settings.slack_bot_token.get_secret_value()
    return Relay(
        playbook,
        db.make_sessionmaker(engine),
        web_client(settings, token),
        outbox_lease=timedelta(seconds=settings.outbox_lease_seconds),
    )


def build_app(
    relay: Relay, settings: Settings, *, signing_secret: str | None = None, executor=None
) -> App:
    app = App(
        client=relay.client,
        signing_secret=signing_secret,
        request_verification_enabled=signing_secret is not None,
        listener_executor=executor or ThreadPoolExecutor(max_workers=settings.listener_threads),
        ignoring_self_events_enabled=True,
    )
    register_listeners(app, relay)
    return app


def create_wsgi(settings: Settings | None = None):
    """The `web` process: gunicorn 'app.bot:create_wsgi()'."""
    settings = settings or Settings()
    configure_logging(settings.log_format, settings.log_level)
    relay = build_relay(settings, mode="http")
    app = build_app(
        relay, settings, signing_secret=settings.slack_signing_secret.get_secret_value()
    )
    log.info("web.ready", playbook=str(Path(settings.relay_playbook)))
    return wsgi_app(app, relay)


def wsgi_app(app: App, relay: Relay):
    """Slack requests at /slack/events, health at /healthz."""
    slack = SlackRequestHandler(app, path="/slack/events")
    engine = relay.sessions.kw["bind"]

    def application(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/slack/events":
            return slack(environ, start_response)
        if path == "/healthz":
            state = db.database_state(engine)
            body = json.dumps({"ok": state["ok"], "database": state}).encode()
            status = "200 OK" if state["ok"] else "503 Service Unavailable"
        else:
            body, status = b'{"ok": false, "error": "not_found"}', "404 Not Found"
        start_response(status, [("Content-Type", "application/json")])
        return [body]

    return application


def run_socket_mode(settings: Settings) -> None:
    """`relay run`: Socket Mode with the clock in the same process."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from app.clock import start_background_clock

    configure_logging(settings.log_format, settings.log_level)
    relay = build_relay(settings, mode="socket")
    app = build_app(relay, settings)
    scheduler = start_background_clock(relay, settings.clock_tick_seconds)
    try:
        SocketModeHandler(app, settings.slack_app_token.get_secret_value()).start()
    finally:
        scheduler.shutdown(wait=False)
