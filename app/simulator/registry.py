"""The method registry: every Web API method the simulator serves, its arguments and errors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from app.simulator.records import SlackError
from app.simulator.state import Workspace

# Errors any method can return (README §6 "generic errors"); they are not repeated per method.
GENERIC_ERRORS = frozenset(
    {
        "not_authed",
        "invalid_auth",
        "ratelimited",
        "invalid_arguments",
        "fatal_error",
        "internal_error",
    }
)

Handler = Callable[[Workspace, dict], dict]


@dataclass(frozen=True)
class Method:
    name: str
    handler: Handler
    required: tuple[str, ...]  # besides the token
    errors: frozenset[str]  # method-specific errors this handler can return
    missing: dict[str, str] = field(default_factory=dict)  # required arg -> error when absent

    def missing_error(self, arg: str) -> str:
        return self.missing.get(arg, "invalid_arguments")


METHODS: dict[str, Method] = {}


def method(name: str, *, required=(), errors=(), missing=None):
    """Register a handler. Handlers return the success body (without "ok") or raise SlackError."""

    def register(fn: Handler) -> Handler:
        missing_map = dict(missing or {})
        declared = frozenset(errors) | frozenset(missing_map.values())
        METHODS[name] = Method(name, fn, tuple(required), declared - GENERIC_ERRORS, missing_map)
        return fn

    return register


# -- argument helpers -----------------------------------------------------------------------


def flag(args: dict, name: str, default: bool = False) -> bool:
    value = args.get(name)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes")


def integer(args: dict, name: str, default: int, error: str) -> int:
    value = args.get(name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise SlackError(error) from exc


def id_list(value) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value or "").split(",") if part.strip()]
