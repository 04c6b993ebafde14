"""auth.test and users.* methods."""

from __future__ import annotations

from app.simulator import shapes
from app.simulator.records import SlackError
from app.simulator.registry import method
from app.simulator.state import Workspace


@method("auth.test")
def auth_test(ws: Workspace, args: dict) -> dict:
    return {
        "url": f"https://{ws.domain}.slack.com/",
        "team": ws.team_name,
        "user": ws.users[ws.bot_user_id].name,
        "team_id": ws.team_id,
        "user_id": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "is_enterprise_install": False,
    }


@method(
    "users.info", required=("user",), errors=("user_not_found",), missing={"user": "user_not_found"}
)
def users_info(ws: Workspace, args: dict) -> dict:
    person = ws.users.get(str(args.get("user") or ""))
    if person is None:
        raise SlackError("user_not_found")
    return {"user": shapes.user(ws, person)}


@method(
    "users.lookupByEmail",
    required=("email",),
    errors=("users_not_found",),
    missing={"email": "users_not_found"},
)
def lookup_by_email(ws: Workspace, args: dict) -> dict:
    email = str(args.get("email") or "").strip().lower()
    for person in ws.users.values():
        if person.email and person.email.lower() == email:
            return {"user": shapes.user(ws, person)}
    raise SlackError("users_not_found")
