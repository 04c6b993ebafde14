"""Starting a Relay process: the settings and tokens checked, the playbook loaded, the
database engine (pool sized, schema current) and the Slack client built. Every refusal is
a `StartupError` whose message says what to do."""

import os
from datetime import timedelta

import structlog
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from app import db
from app.effects.transport import KeptAliveClient
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


STILL_EXAMPLE = """Relay cannot start: {names} {verb} still the example {value} from .env.example.
Put the app's real values in .env (see .env.example), or run `make drill` to see Relay work
without a workspace."""

# auth.test answers that mean the token itself is wrong, not that Slack is away.
REFUSED_TOKEN = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}


class StartupError(SystemExit):
    """Relay refuses to start; the message says why and what to do."""


def web_client(settings: Settings, token: str, mode: str) -> WebClient:
    """A connection kept for each thread that calls Slack: the listeners (none in the
    clock) and the delivery threads. No retries inside slack_sdk: a re-sent post whose
    answer was lost would post twice; the outbox retries, after looking for what reached
    Slack."""
    return KeptAliveClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=[],
        connections=settings.listener_threads_for(mode) + settings.delivery_threads_for(mode),
    )


def build_relay(settings: Settings, *, mode: str) -> Relay:
    """Settings -> checked tokens, playbook, database and client. Raises StartupError."""
    missing = settings.missing_for(mode)
    if missing:
        raise StartupError(HOW_TO_GET_TOKENS.format(missing=" and ".join(missing)))
    examples = settings.examples_for(mode)
    if examples:
        verb, value = ("is", "value") if len(examples) == 1 else ("are", "values")
        names = " and ".join(examples)
        raise StartupError(STILL_EXAMPLE.format(names=names, verb=verb, value=value))
    problem = db.url_problem(settings.database_url)
    if problem:
        raise StartupError(f"Relay cannot start: {problem}")
    try:
        playbook = load_playbook(settings.relay_playbook)
    except PlaybookError as exc:
        lines = "\n  ".join(exc.errors)
        raise StartupError(
            f"Relay cannot start: {settings.relay_playbook} is invalid:\n  {lines}"
        ) from None
    engine = db.make_engine(
        settings.database_url,
        pool_size=settings.pool_size_for(mode),
        pool_recycle=settings.database_pool_recycle_seconds,
    )
    prepare_database(engine, settings.database_url)
    check_pool(engine, settings.pool_size_for(mode))
    token = settings.slack_bot_token.get_secret_value()
    return Relay(
        playbook,
        db.make_sessionmaker(engine),
        web_client(settings, token, mode),
        outbox_lease=timedelta(seconds=settings.outbox_lease_seconds),
        outbox_horizon=timedelta(hours=settings.outbox_retry_hours),
        delivery_threads=settings.delivery_threads_for(mode),
    )


def verify_slack_token(relay: Relay, settings: Settings) -> None:
    """One auth.test against SLACK_API_URL: a token Slack refuses is one line, not Bolt's
    traceback. Slack being unreachable is no reason to refuse (it is logged; Bolt and the
    outbox find out again). Raises StartupError."""
    try:
        relay.client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error") if exc.response is not None else None
        if error in REFUSED_TOKEN:
            raise StartupError(
                f"Relay cannot start: Slack answered {error} to auth.test at"
                f" {settings.slack_api_url}: SLACK_BOT_TOKEN is not a valid bot token there"
                ' (copy the "Bot User OAuth Token" from OAuth & Permissions again)'
            ) from None
        log.warning("slack.auth_test_failed", error=error)
    except Exception as exc:  # noqa: BLE001 - Slack away at start-up: try again later
        log.warning("slack.unreachable", error=type(exc).__name__, api_url=settings.slack_api_url)


def prepare_database(engine, url: str) -> None:
    """SQLite (embedded) is migrated on start; PostgreSQL must already be at the newest
    migration (`relay db upgrade`). A PostgreSQL server that is away right now is no reason
    to refuse: the clock retries each tick and /healthz says so. Raises StartupError."""
    try:
        db.check_schema(engine)
    except db.SchemaProblem as problem:
        if engine.dialect.name == "sqlite" and problem.upgradable:
            db.upgrade(url)
            return
        raise StartupError(f"Relay cannot start: {problem}") from None
    except SQLAlchemyError as exc:
        reason = db.unreachable_reason(exc)
        if engine.dialect.name == "sqlite":
            raise StartupError(f"Relay cannot open the database {url}: {reason}") from None
        log.warning("database.unavailable", error=reason)


def check_pool(engine, pool_size: int) -> None:
    """Warn when the Procfile's processes (WEB_CONCURRENCY web workers and a clock) could open
    more PostgreSQL connections than the server takes: past that, requests fail."""
    workers = os.environ.get("WEB_CONCURRENCY", "")
    processes = (int(workers) if workers.isdigit() else 2) + 1
    try:
        problem = db.pool_problem(engine, pool_size, processes)
    except SQLAlchemyError:
        return  # unreachable: prepare_database said so
    if problem:
        log.warning("database.pool_too_large", problem=problem)
