"""The Bolt app, the WSGI web process (HTTP mode) and Socket Mode."""

import gc
import hmac
import io
import json
import logging
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import structlog
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier
from sqlalchemy.exc import SQLAlchemyError

from app import db, replays
from app.comms import redaction
from app.effects.courier import Answering, Courier
from app.listeners import register_listeners
from app.logs import configure_logging
from app.metrics import exposition
from app.runtime import Relay, utc_now
from app.settings import Settings
from app.startup import StartupError, build_relay, verify_slack_token

log = structlog.get_logger()

WORKER_BOOT_ERROR = 3  # gunicorn: a worker exiting with this halts the arbiter for good


class _SameTokenTwice(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment itself and warns that the client we
    pass (same token, our base URL and retry policy) wins. It is the point, not news."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


_same_token_twice = _SameTokenTwice()


def build_app(
    relay: Relay, settings: Settings, *, signing_secret: str | None = None, executor=None
) -> App:
    logging.getLogger("slack_bolt.App").addFilter(_same_token_twice)  # added once: same object
    executor = executor or ThreadPoolExecutor(max_workers=settings.listener_threads)
    app = App(
        client=relay.client,
        signing_secret=signing_secret,
        request_verification_enabled=signing_secret is not None,
        # Listeners run on `executor` all the same (listeners.offload); this only lets an ack
        # wake the request's thread instead of Bolt checking for it every 10 ms.
        process_before_response=True,
        listener_executor=executor,
        ignoring_self_events_enabled=True,
    )
    register_listeners(app, relay, executor)

    @app.middleware
    def once_per_event(body, request, next):
        """Socket Mode: an event Slack redelivers (retry_attempt) has the same event id; over
        HTTP wsgi_app has already screened it."""
        if request.mode == "socket_mode" and body.get("type") == "event_callback":
            key = replays.request_key("", body)
            if key and not replays.first_sighting(relay.sessions, key, now=utc_now()):
                retry = request.headers.get("x-slack-retry-num", [None])[0]
                log.info("request.seen_before", kind="event", retry=retry)
                return BoltResponse(status=200, body="")
        next()

    return app


def create_wsgi(settings: Settings | None = None):
    """The `web` process: gunicorn 'app.bot:create_wsgi()'. When Relay cannot start, the
    worker says why and exits with gunicorn's WORKER_BOOT_ERROR, so gunicorn stops for good
    instead of booting workers that fail the same way forever."""
    settings = settings or Settings()
    configure_logging(settings.log_format, settings.log_level)
    try:
        relay = build_relay(settings, mode="http")
        verify_slack_token(relay, settings)
    except StartupError as refused:
        print(refused.code, file=sys.stderr, flush=True)
        sys.exit(WORKER_BOOT_ERROR)
    answering = Answering()  # the courier waits while requests are answered
    relay.courier = Courier(relay.deliver, busy=answering.busy)
    redaction.load()
    secret = settings.slack_signing_secret.get_secret_value()
    app = build_app(relay, settings, signing_secret=secret)
    gc.freeze()  # start-up's objects stay: full collections (~50 ms pauses) skip them
    log.info("web.ready", playbook=str(Path(settings.relay_playbook)))
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    return wsgi_app(
        app, relay, signing_secret=secret, metrics_token=token or None, answering=answering
    )


def _answer(start_response, status: str, body: bytes = b""):
    start_response(status, [("Content-Type", "application/json")])
    return [body]


def _refused(start_response, environ, status: str, why: str):
    """One info line per refused request: why, never the body or its headers' values."""
    log.info("request.refused", why=why, status=status[:3], path=environ.get("PATH_INFO"))
    if status.startswith("401"):
        return _answer(start_response, status, b'{"error": "invalid request"}')
    return _answer(start_response, status, b'{"ok": false, "error": "bad_request"}')


class _Screened(SlackRequestHandler):
    """Bolt's WSGI adapter, handed the request wsgi_app's screen parsed (a card click's body
    is a few KB of URL-encoded JSON) instead of parsing it again."""

    KEY = "relay.bolt_request"

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        screened = request.environ.get(self.KEY)
        return self.app.dispatch(screened) if screened else super().dispatch(request)


def wsgi_app(
    app: App,
    relay: Relay,
    *,
    signing_secret: str | None = None,
    metrics_token: str | None = None,
    answering: Answering | None = None,
):
    """Slack requests at /slack/events, health at /healthz, Prometheus at /metrics (with
    `metrics_token`, only for `Authorization: Bearer <token>`). With the signing secret,
    requests are screened before Bolt sees them: malformed ones get a 4xx, replays and
    retried events an empty 200 (see app/replays.py)."""
    slack = _Screened(app, path="/slack/events")
    metrics = exposition.registry(relay.sessions, relay.now)
    verifier = SignatureVerifier(signing_secret) if signing_secret else None
    engine = relay.sessions.kw["bind"]
    answering = answering or Answering()

    def screen(environ, start_response):
        """None when Bolt may have the request; otherwise the answer already given."""
        try:
            raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        except ValueError:
            return _refused(start_response, environ, "400 Bad Request", "content_length")
        environ["wsgi.input"] = io.BytesIO(raw)
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            return _refused(start_response, environ, "400 Bad Request", "not_utf8")
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
        signature = environ.get("HTTP_X_SLACK_SIGNATURE", "")
        if not timestamp.isascii() or not timestamp.isdigit():
            return _refused(start_response, environ, "401 Unauthorized", "timestamp")
        if abs(verifier.clock.now() - int(timestamp)) > 60 * 5:
            return _refused(start_response, environ, "401 Unauthorized", "stale_timestamp")
        if not verifier.is_valid(body, timestamp, signature):
            return _refused(start_response, environ, "401 Unauthorized", "signature")
        try:  # parsed once, here: Bolt gets this request (_Screened)
            headers = WsgiHttpRequest(environ).get_headers()
            request = BoltRequest(body=body, query=environ.get("QUERY_STRING"), headers=headers)
        except Exception:  # noqa: BLE001 - any parse failure is the sender's fault
            return _refused(start_response, environ, "400 Bad Request", "body")
        environ[_Screened.KEY] = request
        key = replays.request_key(signature, request.body)
        try:
            first = replays.first_sighting(relay.sessions, key, now=utc_now())
        except SQLAlchemyError as exc:
            log.warning("request.replay_check_failed", error=type(exc).__name__)
            return _answer(start_response, "503 Service Unavailable", b'{"ok": false}')
        if not first:
            retry = environ.get("HTTP_X_SLACK_RETRY_NUM")
            kind = "event" if key.startswith("event:") else "signature"
            log.info("request.seen_before", kind=kind, retry=retry)
            return _answer(start_response, "200 OK")
        return None

    def application(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/slack/events":
            with answering.one():
                if verifier and environ.get("REQUEST_METHOD") == "POST":
                    answered = screen(environ, start_response)
                    if answered is not None:
                        return answered
                return slack(environ, start_response)
        if path == "/healthz":
            state = db.database_state(engine)
            body = json.dumps({"ok": state["ok"], "database": state}).encode()
            return _answer(
                start_response, "200 OK" if state["ok"] else "503 Service Unavailable", body
            )
        if path == "/metrics":
            return serve_metrics(environ, start_response)
        return _answer(start_response, "404 Not Found", b'{"ok": false, "error": "not_found"}')

    def serve_metrics(environ, start_response):
        if metrics_token is not None:
            given = environ.get("HTTP_AUTHORIZATION", "").encode()
            if not hmac.compare_digest(given, f"Bearer {metrics_token}".encode()):
                log.info("request.refused", why="metrics_token", status="401", path="/metrics")
                headers = [("Content-Type", "text/plain"), ("WWW-Authenticate", "Bearer")]
                start_response("401 Unauthorized", headers)
                return [b"Authorization: Bearer METRICS_TOKEN needed\n"]
        try:
            body = exposition.scrape(metrics)
        except SQLAlchemyError as exc:
            log.warning("metrics.database_unavailable", error=db.unreachable_reason(exc))
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"database unavailable\n"]
        start_response("200 OK", [("Content-Type", exposition.CONTENT_TYPE)])
        return [body]

    return application


def run_socket_mode(settings: Settings) -> None:
    """`relay run`: Socket Mode with the clock in the same process."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from app.clock import start_background_clock

    configure_logging(settings.log_format, settings.log_level)
    relay = build_relay(settings, mode="socket")
    verify_slack_token(relay, settings)
    relay.courier = Courier(relay.deliver)
    redaction.load()
    app = build_app(relay, settings)
    gc.freeze()  # as in create_wsgi
    scheduler = start_background_clock(relay, settings.clock_tick_seconds)
    try:
        SocketModeHandler(app, settings.slack_app_token.get_secret_value()).start()
    finally:
        scheduler.shutdown(wait=False)
