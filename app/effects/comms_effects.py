"""What communications events post: the situation update (war room or swarm channel, else
the card's thread), update reminders, executive brief DMs (one per person per event), the
customer notice's preview to the comms lead, and the notice itself once Send is clicked."""

from sqlalchemy import select
from sqlalchemy.orm import object_session

from app.effects.incident_effects import _Maker, _room
from app.effects.outbox import row
from app.models import SituationUpdate, Ticket, TimelineEvent
from app.playbook import Playbook
from blocks import comms as views

COMMS_EVENTS = (
    "update.posted",
    "update.reminder",
    "update.overdue",
    "comms.briefed",
    "customer.notice_prepared",
    "customer.update_sent",
)


def comms_rows(playbook: Playbook, ticket: Ticket, events: list[TimelineEvent], *, now) -> list:
    mine = [e for e in events if e.kind in COMMS_EVENTS]
    if not mine:
        return []
    db = object_session(ticket)
    subject = ("ticket", ticket.id)

    def message(key: str, channel: str, content: dict, stream: str | None = None) -> dict:
        payload = {"channel": channel, "unfurl_links": False, **content}
        return row(
            key=key, kind="message", payload=payload, now=now, subject=subject, stream=stream
        )

    rows = []
    for event in mine:
        a = event.after or {}
        update = db.get(SituationUpdate, a["update"]) if a.get("update") else None
        match event.kind:
            case "update.posted":
                rows.append(_posted(playbook, ticket, events, update, now))
            case "update.reminder" | "update.overdue":
                content = views.reminder(event, ticket, playbook)
                rows += [message(f"dm:{event.id}:{uid}", uid, content) for uid in a["remind"]]
            case "comms.briefed":
                url = f"<#{playbook.teams[ticket.team].queue_channel}>"
                content = views.executive_brief(ticket, playbook, event, url)
                rows += [message(f"brief:{event.id}:{uid}", uid, content) for uid in a["to"]]
            case "customer.notice_prepared":
                content = views.customer_preview(ticket, playbook, update, a["customer_channel"], a)
                for uid in a["preview_to"]:
                    rows.append(message(f"preview:{event.id}:{uid}", uid, content))
            case "customer.update_sent":
                prepared = _prepared(db, ticket, update)
                text = views.customer_notice(ticket, playbook, update, prepared)
                key = f"customer:{update.id}"
                rows.append(
                    message(
                        key, a["customer_channel"], {"text": text}, stream=f"customer:{ticket.id}"
                    )
                )
    return rows


def _posted(playbook, ticket, events, update: SituationUpdate, now) -> dict:
    """Into the ticket's war room or swarm channel (once it exists), else its card thread."""
    content = views.situation_update(ticket, playbook, update)
    room = _room(ticket, events, None)
    if room is not None:
        return _Maker(ticket, room, now).one("channel.post", f"update:{update.id}", content)
    return row(
        key=f"thread:update:{update.id}",
        kind="thread",
        payload=content,
        now=now,
        subject=("ticket", ticket.id),
        stream=f"thread:{ticket.id}",
    )


def _prepared(db, ticket: Ticket, update: SituationUpdate) -> dict:
    """The redacted fields the preview showed (kept on the `customer.notice_prepared` event)."""
    stmt = (
        select(TimelineEvent)
        .where(
            TimelineEvent.ticket_id == ticket.id, TimelineEvent.kind == "customer.notice_prepared"
        )
        .order_by(TimelineEvent.id.desc())
    )
    for event in db.scalars(stmt):
        if (event.after or {}).get("update") == update.id:
            return event.after
    return {}
