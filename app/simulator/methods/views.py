"""views.* methods."""

from __future__ import annotations

from app.simulator import modals
from app.simulator.records import SlackError
from app.simulator.registry import method
from app.simulator.state import Workspace

TRIGGER_ERRORS = ("invalid_trigger_id", "exchanged_trigger_id", "expired_trigger_id")
VIEW_ERRORS = ("view_too_large", "duplicate_external_id")


@method("views.open", required=("view",), errors=(*TRIGGER_ERRORS, *VIEW_ERRORS))
def views_open(ws: Workspace, args: dict) -> dict:
    trigger_id, user = modals.take_trigger(ws, args)
    raw = modals.new_view_check(ws, args["view"], kind="modal")
    ws.triggers[trigger_id].used = True
    return {"view": modals.open_modal(ws, user, raw)}


@method(
    "views.push",
    required=("view",),
    errors=(*TRIGGER_ERRORS, *VIEW_ERRORS, "push_limit_reached", "not_found"),
)
def views_push(ws: Workspace, args: dict) -> dict:
    trigger_id, user = modals.take_trigger(ws, args)
    raw = modals.new_view_check(ws, args["view"], kind="modal")
    view = modals.push_modal(ws, user, raw)
    ws.triggers[trigger_id].used = True
    return {"view": view}


@method("views.update", required=("view",), errors=(*VIEW_ERRORS, "hash_conflict", "not_found"))
def views_update(ws: Workspace, args: dict) -> dict:
    raw = modals.checked(args["view"])
    vid = args.get("view_id")
    if not vid and args.get("external_id"):
        found = [k for k, r in ws.views.items() if r["view"]["external_id"] == args["external_id"]]
        vid = found[0] if found else None
    if not vid:
        raise SlackError("not_found")
    return {"view": modals.update_view(ws, str(vid), raw, args.get("hash"))}


@method("views.publish", required=("user_id", "view"), errors=(*VIEW_ERRORS, "hash_conflict"))
def views_publish(ws: Workspace, args: dict) -> dict:
    user = str(args.get("user_id") or "")
    if user not in ws.users or user == ws.bot_user_id:
        raise SlackError("invalid_arguments")
    if ws.homes.get(user):
        raw = modals.checked(args["view"])
        if raw["type"] != "home":
            raise SlackError("invalid_arguments")
    else:
        raw = modals.new_view_check(ws, args["view"], kind="home")
    return {"view": modals.publish_home(ws, user, raw, args.get("hash"))}
