"""Who a ticket's escalation policy names. The policy names people and groups by playbook
handle; when it is snapshotted, their Slack user ids and names are stored beside it
(`policy["people"]`), so a ticket keeps working after the playbook drops one of them.
Everything that turns a ticket's handle into people goes through here: the live playbook
first, then the snapshot. A handle in neither (a ticket opened before snapshots, naming
someone since removed) is nobody, with a warning."""

import structlog

from app.models import Ticket
from app.playbook import Playbook

log = structlog.get_logger()


def policy_handles(policy: dict) -> list[str]:
    """Every handle a policy names: tier owners and the manager."""
    handles = [h for owners in policy.get("tiers", {}).values() for h in owners.values()]
    return list(dict.fromkeys(h for h in [*handles, policy.get("manager")] if h))


def snapshot_people(playbook: Playbook, handles: list[str]) -> dict[str, dict]:
    """{handle: {"ids": [...], "name": ..., "group": bool}}, groups expanded to members."""
    people = {}
    for handle in handles:
        group = playbook.groups.get(handle)
        name = group.name if group else playbook.people[handle].name
        ids = sorted(playbook.handles_to_user_ids([handle]))
        people[handle] = {"ids": ids, "name": name, "group": group is not None}
    return people


def snapshotted(ticket: Ticket, handle: str) -> dict | None:
    """What the ticket's policy stored about `handle`, or None."""
    return (ticket.policy or {}).get("people", {}).get(handle)


def _known(playbook: Playbook, handle: str) -> bool:
    return handle in playbook.people or handle in playbook.groups


def _unknown(ticket: Ticket, handle: str) -> None:
    log.warning("ticket.handle_unknown", key=ticket.key, handle=handle)


def user_ids(playbook: Playbook, ticket: Ticket, handles: list[str | None]) -> set[str]:
    """Slack user ids of these person and group handles, for this ticket."""
    ids: set[str] = set()
    for handle in filter(None, handles):
        if _known(playbook, handle):
            ids |= playbook.handles_to_user_ids([handle])
        elif stored := snapshotted(ticket, handle):
            ids.update(stored["ids"])
        else:
            _unknown(ticket, handle)
    return ids


def display_name(playbook: Playbook, ticket: Ticket, handle: str) -> str:
    """A handle's person or group name, from the playbook or the snapshot; else the handle."""
    if handle in playbook.groups:
        return playbook.groups[handle].name
    if handle in playbook.people:
        return playbook.people[handle].name
    stored = snapshotted(ticket, handle)
    return stored["name"] if stored else handle


def person_id(playbook: Playbook, ticket: Ticket, handle: str) -> str | None:
    """The Slack user id of a person handle (None for a group or someone unknown)."""
    if handle in playbook.people:
        return playbook.people[handle].slack_id
    if handle in playbook.groups:
        return None
    stored = snapshotted(ticket, handle)
    if stored is None:
        _unknown(ticket, handle)
    return stored["ids"][0] if stored and not stored["group"] and stored["ids"] else None
