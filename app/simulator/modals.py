"""Modal stacks and App Home views: shared by views.* methods and view_submission acks."""

from __future__ import annotations

import copy

from app.simulator.blockkit import BlockError, check_view, with_ids
from app.simulator.ids import TRIGGER_RE
from app.simulator.records import SlackError
from app.simulator.state import TRIGGER_TTL, Workspace

MAX_STACK = 3


def checked(view) -> dict:
    try:
        return check_view(view)
    except BlockError as exc:
        raise SlackError(exc.code) from exc


def take_trigger(ws: Workspace, args: dict) -> tuple[str, str]:
    """Check a trigger_id (or interactivity_pointer); returns (trigger_id, user)."""
    trigger_id = str(args.get("trigger_id") or args.get("interactivity_pointer") or "")
    if not trigger_id:
        raise SlackError("invalid_arguments")
    trigger = ws.triggers.get(trigger_id)
    if not TRIGGER_RE.match(trigger_id) or trigger is None:
        raise SlackError("invalid_trigger_id")
    if trigger.used:
        raise SlackError("exchanged_trigger_id")
    if ws.clock() - trigger.issued > TRIGGER_TTL:
        raise SlackError("expired_trigger_id")
    return trigger_id, trigger.user


def _check_external_id(ws: Workspace, view: dict, own_id: str | None = None) -> None:
    external_id = view.get("external_id")
    if not external_id:
        return
    for vid, record in ws.views.items():
        if vid != own_id and record["view"].get("external_id") == external_id:
            raise SlackError("duplicate_external_id")


def build(
    ws: Workspace,
    raw: dict,
    *,
    vid: str,
    root: str | None,
    previous: str | None,
    state: dict | None = None,
) -> dict:
    view = {
        "id": vid,
        "team_id": ws.team_id,
        "type": raw["type"],
        "blocks": with_ids(raw.get("blocks") or [], ws.ids.short),
        "private_metadata": raw.get("private_metadata", ""),
        "callback_id": raw.get("callback_id", ""),
        "state": {"values": copy.deepcopy(state or {})},
        "hash": ws.ids.view_hash(),
    }
    for key in ("title", "close", "submit"):
        if raw.get(key):
            view[key] = {**copy.deepcopy(raw[key])}
            view[key].setdefault("emoji", True)
    view.update(
        {
            "clear_on_close": bool(raw.get("clear_on_close", False)),
            "notify_on_close": bool(raw.get("notify_on_close", False)),
            "previous_view_id": previous,
            "root_view_id": root or vid,
            "app_id": ws.app_id,
            "external_id": raw.get("external_id", ""),
            "app_installed_team_id": ws.team_id,
            "bot_id": ws.bot_id,
        }
    )
    return view


def _store(ws: Workspace, view: dict, user: str, kind: str) -> dict:
    ws.views[view["id"]] = {"view": view, "user": user}
    ws.observe(kind, user=user, view=copy.deepcopy(view), text=_title(view), author=ws.bot_user_id)
    return copy.deepcopy(view)


def _title(view: dict) -> str | None:
    return (view.get("title") or {}).get("text")


def open_modal(ws: Workspace, user: str, raw: dict) -> dict:
    for vid in ws.stacks.get(user, []):
        _drop(ws, vid, user)
    vid = ws.ids.new("V")
    ws.stacks[user] = [vid]
    return _store(ws, build(ws, raw, vid=vid, root=None, previous=None), user, "view_opened")


def push_modal(ws: Workspace, user: str, raw: dict) -> dict:
    stack = ws.stacks.get(user) or []
    if not stack:
        raise SlackError("not_found")
    if len(stack) >= MAX_STACK:
        raise SlackError("push_limit_reached")
    vid = ws.ids.new("V")
    view = build(ws, raw, vid=vid, root=stack[0], previous=stack[-1])
    stack.append(vid)
    return _store(ws, view, user, "view_pushed")


def update_view(ws: Workspace, vid: str, raw: dict, expected_hash=None) -> dict:
    record = ws.views.get(vid)
    if record is None:
        raise SlackError("not_found")
    old = record["view"]
    if expected_hash and expected_hash != old["hash"]:
        raise SlackError("hash_conflict")
    if raw["type"] != old["type"]:
        raise SlackError("invalid_arguments")
    _check_external_id(ws, raw, vid)
    view = build(
        ws,
        raw,
        vid=vid,
        root=old["root_view_id"],
        previous=old["previous_view_id"],
        state=old["state"]["values"],
    )
    kind = "home_published" if view["type"] == "home" else "view_updated"
    return _store(ws, view, record["user"], kind)


def publish_home(ws: Workspace, user: str, raw: dict, expected_hash=None) -> dict:
    vid = ws.homes.get(user)
    if vid is not None:
        return update_view(ws, vid, raw, expected_hash)
    vid = ws.ids.new("V")
    ws.homes[user] = vid
    return _store(ws, build(ws, raw, vid=vid, root=None, previous=None), user, "home_published")


def _drop(ws: Workspace, vid: str, user: str) -> None:
    record = ws.views.pop(vid, None)
    if record is not None:
        ws.observe("view_closed", user=user, view=record["view"], text=_title(record["view"]))


def close_top(ws: Workspace, user: str) -> None:
    stack = ws.stacks.get(user) or []
    if stack:
        _drop(ws, stack.pop(), user)


def clear_stack(ws: Workspace, user: str) -> None:
    while ws.stacks.get(user):
        close_top(ws, user)


def new_view_check(ws: Workspace, raw, *, kind: str) -> dict:
    view = checked(raw)
    if view["type"] != kind:
        raise SlackError("invalid_arguments")
    _check_external_id(ws, view)
    return view
