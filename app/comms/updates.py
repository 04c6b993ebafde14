"""Situation updates: who may post one, what is stored (redacted on the way in, since
every field leaves Relay), and what posting sets off: the cadence moves, executives are
briefed, and a customer notice is prepared for a Send click."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.comms import briefings, cadence, customers, outbound
from app.errors import Forbidden, Invalid
from app.incidents.roles import holders
from app.models import SituationUpdate, Ticket, TimelineEvent
from app.playbook import Playbook
from app.tickets.timeline import add_event

FIELDS = ("status", "impact", "current_state", "actions", "decision")


@dataclass
class Draft:
    """What the update form holds."""

    status: str = ""
    impact: str = ""
    current_state: str = ""
    actions: str = ""
    decision: str = ""
    next_update_at: datetime | None = None
    customer: bool = False  # also prepare a customer update
    customer_text: str = ""  # what the customer is told (default: the current state)


def may_post(db: Session, playbook: Playbook, ticket: Ticket, user_id: str) -> bool:
    """The ticket's team, admins, and whoever holds an incident role on it."""
    return playbook.may_act(user_id, ticket.team) or user_id in holders(db, ticket).values()


def require_may_post(db: Session, playbook: Playbook, ticket: Ticket, user_id: str) -> None:
    if not may_post(db, playbook, ticket, user_id):
        team = playbook.teams[ticket.team].name
        raise Forbidden(
            f"Only the {team} team, the incident's roles or Relay admins can post updates "
            f"on {ticket.key}."
        )


def require_owes(ticket: Ticket) -> None:
    if not cadence.owes_updates(ticket):
        raise Invalid(f"{ticket.key} is {ticket.status.value.replace('_', ' ')}: no update is due.")


LATEST = (  # a ticket's last situation update; built once (a card shows when it was posted)
    select(SituationUpdate)
    .where(SituationUpdate.ticket_id == bindparam("ticket"), SituationUpdate.kind == "update")
    .order_by(SituationUpdate.id.desc())
    .limit(1)
)


def latest(db: Session, ticket: Ticket) -> SituationUpdate | None:
    return db.scalar(LATEST, {"ticket": ticket.id})


def post(
    db: Session, playbook: Playbook, ticket: Ticket, draft: Draft, *, by: str, now: datetime
) -> list[TimelineEvent]:
    """Store the update (redacted), reset the cadence, brief, prepare the customer notice."""
    require_may_post(db, playbook, ticket, by)
    require_owes(ticket)
    due = draft.next_update_at or cadence.next_due(playbook, ticket, now)
    if due <= now:
        raise Invalid(
            "The next update time must be in the future.", {"next_update": "Pick a later time."}
        )
    texts = {name: getattr(draft, name) for name in FIELDS}
    fields, redacted = outbound.scrub(
        db, playbook, ticket, texts, where="situation update", now=now
    )
    update = SituationUpdate(
        ticket_id=ticket.id,
        kind="update",
        posted_by=by,
        posted_at=now,
        next_update_at=due,
        **fields,
    )
    db.add(update)
    db.flush()  # its id names the effects
    cadence.reset(db, ticket, due_at=due)
    after = {"update": update.id, "next_update_at": due.isoformat()}
    posted = add_event(db, ticket, kind="update.posted", by=by, now=now, after=after)
    events = [e for e in (redacted, posted) if e]
    events += briefings.brief(db, playbook, ticket, reason="update", now=now, update=update)
    if draft.customer:
        text = draft.customer_text or draft.current_state
        events += customers.prepare(db, playbook, ticket, update, text, by=by, now=now)
    return events
