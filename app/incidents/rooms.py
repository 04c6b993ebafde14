"""War rooms (Sev1) and swarm channels (Sev2): when a ticket gets one, who is invited,
what happens to it when the ticket is raised, resolved, reopened, and when it is archived.
Each returns timeline events whose `after` says everything the effects need."""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import deadlines
from app.comms import outbound
from app.errors import Invalid
from app.incidents import naming, roles
from app.inserts import id_list
from app.models import OPEN_STATUSES, Channel, Ticket, TimelineEvent
from app.playbook import Playbook
from app.sla import people
from app.tickets.access import is_confidential, may_see, role_handles
from app.tickets.timeline import add_event

RELATED_MAX = 5


def channel_of(db: Session, ticket: Ticket) -> Channel | None:
    return db.scalar(select(Channel).where(Channel.ticket_id == ticket.id).order_by(Channel.id))


def wanted_purpose(playbook: Playbook, severity: int) -> str | None:
    actions = playbook.severity(severity).actions
    return "war_room" if actions.war_room else "swarm" if actions.swarm else None


def invitees(playbook: Playbook, ticket: Ticket, extra: list[str | None]) -> list[str]:
    """Slack ids of the RACI's responsible, accountable and consulted people for this
    ticket (tier owners, manager, named people, groups expanded), then `extra` (IC,
    facilitator, reporter): once each, in that order."""
    raci = playbook.escalation_types[ticket.escalation_type].raci
    found: list[str] = []
    for entry in raci.responsible + raci.accountable + raci.consulted:
        for handle in role_handles(playbook, ticket, entry):
            found += sorted(people.user_ids(playbook, ticket, [handle]))
    # a confidential ticket's channel is only for people who may see the ticket
    found += [uid for uid in extra if uid and may_see(playbook, ticket, uid)]
    return list(dict.fromkeys(found))


def related(db: Session, ticket: Ticket) -> list[str]:
    """Keys of other open tickets of the same customer, else of the same team."""
    same = Ticket.customer == ticket.customer if ticket.customer else Ticket.team == ticket.team
    stmt = (
        select(Ticket.key)
        .where(same, Ticket.id != ticket.id, Ticket.status.in_(OPEN_STATUSES))
        .order_by(Ticket.id.desc())
        .limit(RELATED_MAX)
    )
    return list(db.scalars(stmt))


def on_severity(
    db: Session, playbook: Playbook, ticket: Ticket, *, by: str | None, now: datetime
) -> list[TimelineEvent]:
    """The channel the ticket's severity wants: open a war room or swarm, or turn a swarm
    into a war room (renamed, same channel). A war room is never turned back."""
    purpose = wanted_purpose(playbook, ticket.severity)
    if purpose is None or ticket.status not in OPEN_STATUSES:
        return []
    channel = channel_of(db, ticket)
    if channel is None:
        return _open(db, playbook, ticket, purpose, by=by, now=now)
    events = []
    if channel.archived_at is not None:  # resolved, archived, reopened and raised again
        events = _unarchive(db, playbook, ticket, channel, by=by, now=now)
    if channel.purpose == "swarm" and purpose == "war_room":
        events += _upgrade(db, playbook, ticket, channel, by=by, now=now)
    return events


def _unarchive(db, playbook, ticket, channel, *, by, now) -> list[TimelineEvent]:
    """The ticket's archived channel comes back (not a second channel)."""
    channel.archived_at = channel.archive_due_at = None
    held = roles.holders(db, ticket)
    after = {
        "channel": channel.id,
        "name": channel.name,
        "invite": invitees(playbook, ticket, [*held.values(), ticket.reporter_id]),
    }
    return [add_event(db, ticket, kind="channel.unarchived", by=by, now=now, after=after)]


def _role_events(db, playbook, ticket, purpose, *, by, now) -> list[TimelineEvent]:
    """The IC of a war room, or the facilitator of a swarm, assigned by Relay."""
    if purpose == "war_room":
        role, who = "ic", roles.choose_ic(playbook, ticket, by)
    else:
        role, who = "facilitator", roles.facilitator_for(playbook, ticket)
    if who is None or playbook.person_by_user_id(who) is None:
        return []
    event = roles.assign_role(
        db, playbook, ticket, role=role, to=who, by=None, now=now, check=False
    )
    return [event] if event else []


def _open(db, playbook, ticket, purpose, *, by, now) -> list[TimelineEvent]:
    # the channel's name and purpose show the title to everyone: redacted, with a note
    where = f"{purpose.replace('_', ' ')} purpose"
    shown, redacted = outbound.scrub(
        db, playbook, ticket, {"t": ticket.title}, where=where, now=now
    )
    channel = Channel(
        ticket_id=ticket.id,
        purpose=purpose,
        name=naming.channel_name(purpose, ticket.key, shown["t"]),
        is_private=is_confidential(playbook, ticket),
        created_at=now,
    )
    db.add(channel)
    db.flush()  # its id names the effects
    events = _role_events(db, playbook, ticket, purpose, by=by, now=now)
    held = roles.holders(db, ticket)
    after = {
        "channel": channel.id,
        "purpose": purpose,
        "purpose_title": shown["t"],
        "name": channel.name,
        "private": channel.is_private,
        "invite": invitees(playbook, ticket, [*held.values(), ticket.reporter_id]),
        "related": related(db, ticket),
    }
    opened = add_event(db, ticket, kind=f"{purpose}.opened", by=by, now=now, after=after)
    return [opened, *events] + ([redacted] if redacted else [])


def _upgrade(db, playbook, ticket, channel, *, by, now) -> list[TimelineEvent]:
    before = {"purpose": channel.purpose, "name": channel.name}
    channel.purpose = "war_room"
    channel.name = naming.renamed(channel.name, "war_room")
    events = _role_events(db, playbook, ticket, "war_room", by=by, now=now)
    held = roles.holders(db, ticket)
    after = {
        "channel": channel.id,
        "purpose": "war_room",
        "name": channel.name,
        "invite": invitees(playbook, ticket, list(held.values())),
    }
    renamed = add_event(
        db, ticket, kind="channel.renamed", by=by, now=now, before=before, after=after
    )
    return [renamed, *events]


def on_resolved(db: Session, playbook: Playbook, ticket: Ticket, *, now: datetime):
    """The resolution goes to the channel; it is archived after the playbook's delay."""
    channel = channel_of(db, ticket)
    if channel is None or channel.archived_at is not None:
        return []
    channel.archive_due_at = now + timedelta(hours=playbook.incidents.archive_after_hours)
    after = {"channel": channel.id, "archive_at": channel.archive_due_at.isoformat()}
    return [add_event(db, ticket, kind="channel.resolved", by=None, now=now, after=after)]


def on_reopened(db: Session, ticket: Ticket) -> None:
    """A reopened ticket keeps its channel (if not archived yet)."""
    channel = channel_of(db, ticket)
    if channel is not None and channel.archived_at is None:
        channel.archive_due_at = None


# The `channel.archive` timers of the tickets `ids` (see deadlines.timer_rows).
TIMERS = deadlines.timer_rows(
    Channel.ticket_id,
    "channel.archive",
    Channel.archive_due_at,
    Channel.archive_due_at.is_not(None),
    Channel.archived_at.is_(None),
)


def open_rooms(db: Session, ticket_ids: list[int]) -> dict[int, int]:
    """{ticket id: its channel row id} for those of these tickets with a channel not
    archived, in one query (the clock renders a batch of tickets with it)."""
    if not ticket_ids:
        return {}
    stmt = (
        select(Channel.ticket_id, Channel.id)
        .where(Channel.ticket_id.in_(id_list(ticket_ids)), Channel.archived_at.is_(None))
        .order_by(Channel.id.desc())  # the first one wins, as in channel_of
    )
    return dict(db.execute(stmt).all())


def act_on_due(db: Session, ticket: Ticket, *, now: datetime, due: list[str]):
    """Fire `channel.archive` when it is due."""
    if "channel.archive" not in due:
        return []
    channel = channel_of(db, ticket)
    if channel is None or channel.archived_at is not None:
        return []
    if channel.archive_due_at is None or channel.archive_due_at > now:
        return []
    channel.archived_at = now
    after = {"channel": channel.id, "name": channel.name}
    return [add_event(db, ticket, kind="channel.archived", by=None, now=now, after=after)]


def ticket_id_of_channel(db: Session, slack_id: str | None) -> int | None:
    """The ticket whose war room or swarm is this Slack channel."""
    if not slack_id:
        return None
    return db.scalar(select(Channel.ticket_id).where(Channel.slack_id == slack_id))


def pull(db: Session, playbook: Playbook, ticket: Ticket, *, team: str, by: str, now: datetime):
    """Bring another team's primary at the ticket's tier into its channel."""
    channel = channel_of(db, ticket)
    if channel is None or channel.archived_at is not None:
        raise Invalid(f"{ticket.key} has no open war room or swarm channel.")
    if team not in playbook.teams:
        raise Invalid(f"`{team}` is not a team; teams: {', '.join(playbook.teams)}.")
    primary = playbook.teams[team].tiers[ticket.tier].primary
    invite = sorted(playbook.handles_to_user_ids([primary]))
    after = {"channel": channel.id, "team": team, "tier": ticket.tier, "invite": invite}
    return add_event(db, ticket, kind="channel.pulled", by=by, now=now, after=after)
