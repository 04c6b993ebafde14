"""Answering Web API calls: auth, required arguments, the handler, error bookkeeping.

`METHODS` (name -> registry.Method) lists every implemented method with its required arguments
and the method-specific error codes it can return; GENERIC_ERRORS may come from any method.
"""

from __future__ import annotations

from app.simulator import methods  # noqa: F401  (registers the handlers)
from app.simulator.records import Call, SlackError
from app.simulator.registry import GENERIC_ERRORS, METHODS, Method
from app.simulator.state import Workspace

__all__ = ["GENERIC_ERRORS", "METHODS", "answer"]


def answer(ws: Workspace, name: str, token: str | None, args: dict) -> dict:
    """The JSON body Slack would send for one call (HTTP 200); records it in ws.calls."""
    with ws.lock:
        body = _answer(ws, name, token, args)
        ws.calls.append(Call(name, dict(args), bool(body["ok"]), body.get("error")))
        return body


def _answer(ws: Workspace, name: str, token: str | None, args: dict) -> dict:
    if not token:
        return {"ok": False, "error": "not_authed"}
    if token != ws.bot_token:
        return {"ok": False, "error": "invalid_auth"}
    spec = METHODS.get(name)
    if spec is None:
        return {"ok": False, "error": "unknown_method"}
    for arg in spec.required:
        if args.get(arg) is None:
            return _error(spec, spec.missing_error(arg))
    try:
        result = spec.handler(ws, args)
    except SlackError as exc:
        return _error(spec, exc.code, exc.extra)
    return {"ok": True, **result}


def _error(spec: Method, code: str, extra: dict | None = None) -> dict:
    if code not in spec.errors | GENERIC_ERRORS:
        raise RuntimeError(f"{spec.name} produced undeclared error {code!r}")
    return {"ok": False, "error": code, **(extra or {})}
