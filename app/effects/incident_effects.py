"""What a ticket's war room or swarm events post: the channel, made in steps that each wait
for `channel.create` (invitations, topic, purpose, bookmarks, the pinned summary and role
card), renamed when a swarm becomes a war room, told the resolution, archived. Keys name
the `channels` row and the event, so nothing is made twice. Once the channel exists, its
parts go out side by side (a lane each: invitations, purpose, bookmarks, summary, role card,
topic) instead of one after another behind the create."""

from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import object_session

from app.effects.outbox import row
from app.models import CapturedMessage, Channel, Ticket, TimelineEvent
from app.playbook import Playbook
from blocks import incidents as views

OPENED = ("war_room.opened", "swarm.opened")
CHANNEL_EVENTS = (
    *OPENED,
    "channel.renamed",
    "channel.resolved",
    "channel.archived",
    "channel.unarchived",
)


def create_key(channel_id: int) -> str:
    return f"chan:{channel_id}"


_OPEN_ROOM = select(Channel.id).where(  # built once: every change to a Sev1/Sev2 asks
    Channel.ticket_id == bindparam("ticket"), Channel.archived_at.is_(None)
)


def _room(ticket: Ticket, events: list[TimelineEvent], rooms: dict | None) -> int | None:
    """The ticket's channel row id: from the events, else from `rooms` (see
    `incidents.open_rooms`) when given, else looked up (only for a ticket whose severity
    may have one, or whose role events name one)."""
    for event in events:
        if (event.after or {}).get("channel"):
            return event.after["channel"]
    if ticket.severity > 2:
        return None
    if rooms is not None:
        return rooms.get(ticket.id)
    db = object_session(ticket)
    if db is None:
        return None
    return db.scalar(_OPEN_ROOM, {"ticket": ticket.id})


def incident_rows(
    playbook: Playbook, ticket: Ticket, events: list[TimelineEvent], *, now, rooms=None
):
    """The channel rows for these events; a topic refresh whenever a ticket with a channel
    changes (severity, roles, status)."""
    room = _room(ticket, events, rooms)
    if room is None:
        return []
    make = _Maker(ticket, room, now)
    rows: list[dict] = []
    for event in events:
        a = event.after or {}
        if event.kind in OPENED:
            rows += make.opening(playbook, event)
        elif event.kind == "channel.unarchived":
            rows.append(make.one("channel.unarchive", f"unarchive:{event.id}", {}))
            make.gate = rows[-1]["idem_key"]  # what follows waits for the channel to be back
            rows += make.invites(event)
        elif event.kind == "channel.renamed":
            rows.append(make.one("channel.rename", f"rename:{event.id}", {"name": a["name"]}))
            rows += make.invites(event)
        elif event.kind == "channel.pulled":
            rows += make.invites(event)
        elif event.kind == "role.assigned":
            rows.append(make.role_card(event))
        elif event.kind == "channel.resolved":
            text = views.resolution(ticket, playbook)
            rows.append(make.one("channel.post", f"resolution:{event.id}", {"text": text}))
        elif event.kind == "channel.archived":
            rows.append(make.one("channel.archive", "archive", {}))
    if not any(e.kind == "channel.archived" for e in events):
        rows.append(make.one("channel.topic", f"topic:{events[-1].id}", {}, stream="topic"))
    return rows


class _Maker:
    """Rows in one ticket's channel, each waiting for the channel to exist."""

    def __init__(self, ticket: Ticket, room: int, now: datetime):
        self.ticket, self.room, self.now = ticket, room, now
        self.gate: str | None = None  # the row the rest waits for, when not the create

    def one(self, kind: str, key: str, payload: dict, *, stream=None, after="") -> dict:
        """A row keyed `key:<channel row>`; waiting for `after`, the channel by default
        (None: for nothing)."""
        return row(
            key=f"{key}:{self.room}",
            kind=kind,
            payload={**payload, "channel_row": self.room},
            now=self.now,
            subject=("ticket", self.ticket.id),
            stream=f"{stream}:{self.room}" if stream else None,
            after=(self.gate or create_key(self.room)) if after == "" else after,
        )

    def invites(self, event: TimelineEvent) -> list[dict]:
        """One per person, each in a lane of its own: invitations go out side by side."""
        return [
            self.one(
                "channel.invite", f"invite:{event.id}:{uid}", {"users": uid}, stream=f"invite:{uid}"
            )
            for uid in event.after.get("invite", [])
        ]

    def role_card(self, event: TimelineEvent) -> dict:
        return self.one("channel.role_card", f"roles:{event.id}", {}, stream="roles")

    def opening(self, playbook: Playbook, event: TimelineEvent) -> list[dict]:
        a, ticket = event.after, self.ticket
        create = {"name": a["name"], "is_private": a["private"]}
        rows = [
            self.one("channel.create", "chan", create, after=None),
            *self.invites(event),
            self.one(
                "channel.call",
                f"purpose:{event.id}",
                {
                    "method": "conversations.setPurpose",
                    "args": {"purpose": views.purpose(ticket, a.get("purpose_title"))},
                },
                stream="purpose",
            ),
            # the bookmarks in one lane, so that they keep their order (the card's first)
            self.one("channel.bookmark_card", "bookmark:card", {}, stream="bookmarks"),
        ]
        team = playbook.teams.get(ticket.team)
        for n, runbook in enumerate(team.runbooks if team else []):
            link = {"title": runbook.title[:200], "type": "link", "link": runbook.url}
            args = {"method": "bookmarks.add", "args": link, "channel_arg": "channel_id"}
            rows.append(self.one("channel.call", f"bookmark:runbook{n}", args, stream="bookmarks"))
        summary = views.summary(ticket, playbook, related=a.get("related", []), now=self.now)
        rows.append(self.one("channel.post", "summary", summary, stream="summary"))
        rows.append(self.one("channel.pin", "pin:summary", {}, after=f"summary:{self.room}"))
        card = self.role_card(event)
        rows.append(card)
        rows.append(self.one("channel.pin", "pin:roles", {}, after=card["idem_key"]))
        return rows


def capture_row(ticket: Ticket, found: CapturedMessage, *, now: datetime) -> dict:
    """Fetch a captured message and put it on the timeline (kind `capture`)."""
    payload = {"channel": found.channel_id, "ts": found.ts, "by": found.captured_by}
    subject = ("ticket", ticket.id)
    return row(key=f"capture:{found.id}", kind="capture", payload=payload, now=now, subject=subject)
