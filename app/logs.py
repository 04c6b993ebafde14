"""structlog set-up: console renderer in development, JSON in production.

Message bodies never reach the logs: engines hide statement parameters, and a database
error's own text (PostgreSQL adds "DETAIL: Failing row contains (...)") is replaced by its
class, SQLSTATE and stack before rendering."""

import logging
import sys
import traceback

import structlog
from sqlalchemy.exc import StatementError


def _database_errors_without_values(_logger, _name, event: dict) -> dict:
    exc_info = event.get("exc_info")
    if exc_info is True:
        exc_info = sys.exc_info()
    exc = exc_info[1] if isinstance(exc_info, tuple) else exc_info
    database_error = next((e for e in _chain(exc) if isinstance(e, StatementError)), None)
    if database_error is not None:
        del event["exc_info"]
        event["error"] = type(exc).__name__
        event["sqlstate"] = getattr(database_error.orig, "sqlstate", None)
        event["stack"] = "".join(traceback.format_tb(exc.__traceback__))
    for key, value in event.items():
        if any(isinstance(e, StatementError) for e in _chain(value)):
            event[key] = type(value).__name__
    return event


def _chain(exc):
    seen = set()
    while isinstance(exc, BaseException) and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def configure_logging(fmt: str = "console", level: str = "info", *, stream=None) -> None:
    stream = stream or sys.stderr
    renderer = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=stream.isatty())
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _database_errors_without_values,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=True,
    )
    logging.basicConfig(level=logging.WARNING, stream=stream)
