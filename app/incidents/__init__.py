"""Major incidents: war rooms and swarm channels (plan, naming, invitations), roles.
Plain domain code: no Slack client, no Block Kit; `now` is passed in."""

from app.incidents import approvals, captures
from app.incidents.naming import channel_name, renamed, slug
from app.incidents.roles import ROLE_NAMES, ROLES, assign_role, choose_ic, commander, holders
from app.incidents.rooms import (
    act_on_due,
    channel_of,
    invitees,
    on_reopened,
    on_resolved,
    on_severity,
    open_rooms,
    pull,
    ticket_id_of_channel,
)

__all__ = [
    "approvals",
    "captures",
    "ROLES",
    "ROLE_NAMES",
    "act_on_due",
    "assign_role",
    "channel_name",
    "channel_of",
    "choose_ic",
    "commander",
    "holders",
    "invitees",
    "on_reopened",
    "on_resolved",
    "on_severity",
    "open_rooms",
    "pull",
    "renamed",
    "slug",
    "ticket_id_of_channel",
]
