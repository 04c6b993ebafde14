"""Customer updates: a customer with a channel can be told. The notice is redacted (and
stripped of internal names) when it is prepared; the comms lead sees that preview and
clicks Send; nothing reaches a customer channel without that click, and it goes once."""

from datetime import datetime

from sqlalchemy.orm import Session

from app.comms import outbound
from app.errors import Forbidden, Invalid
from app.incidents.roles import holders
from app.models import SituationUpdate, Ticket, TimelineEvent
from app.playbook import Playbook
from app.tickets.timeline import add_event


def channel_of(playbook: Playbook, ticket: Ticket) -> str | None:
    """The ticket's customer's channel, if it has one."""
    customer = playbook.customers.get(ticket.customer or "")
    return customer.channel if customer else None


def previewers(db: Session, ticket: Ticket, by: str) -> list[str]:
    """Who sees the preview: the comms lead, and whoever prepared it."""
    return list(dict.fromkeys(u for u in (holders(db, ticket).get("comms"), by) if u))


def prepare(
    db: Session,
    playbook: Playbook,
    ticket: Ticket,
    update: SituationUpdate,
    text: str,
    *,
    by: str,
    now: datetime,
) -> list[TimelineEvent]:
    """Keep the redacted notice on `update`; its preview goes to the comms lead."""
    channel = channel_of(playbook, ticket)
    if channel is None:
        raise Invalid(f"{ticket.key}'s customer has no channel in the playbook.")
    texts = {"text": text, "title": ticket.title}
    found, redacted = outbound.scrub(
        db, playbook, ticket, texts, where="customer update", now=now, customer=True
    )
    update.customer_text = found["text"]
    after = {
        "update": update.id,
        "kind": update.kind,
        "customer_channel": channel,
        "title": found["title"],
        "preview_to": previewers(db, ticket, by),
    }
    prepared = add_event(db, ticket, kind="customer.notice_prepared", by=by, now=now, after=after)
    return [e for e in (redacted, prepared) if e]


def resolution_notice(
    db: Session, playbook: Playbook, ticket: Ticket, *, by: str, now: datetime
) -> list[TimelineEvent]:
    """On resolution, a notice for a customer with a channel, prepared like an update."""
    if channel_of(playbook, ticket) is None:
        return []
    notice = SituationUpdate(
        ticket_id=ticket.id, kind="resolution", posted_by=by, posted_at=now, status="resolved"
    )
    db.add(notice)
    db.flush()
    return prepare(db, playbook, ticket, notice, ticket.resolution_summary or "", by=by, now=now)


def send(
    db: Session, playbook: Playbook, ticket: Ticket, update_id: int, *, by: str, now: datetime
) -> TimelineEvent:
    """The Send click: the comms lead, the IC, the team or an admin; once."""
    update = db.get(SituationUpdate, update_id)
    if update is None or update.ticket_id != ticket.id or update.customer_text is None:
        raise Invalid(f"There is no customer update to send on {ticket.key}.")
    held = holders(db, ticket)
    if by not in (held.get("comms"), held.get("ic")) and not playbook.may_act(by, ticket.team):
        raise Forbidden(
            f"Only the comms lead, the IC or the team can send {ticket.key}'s customer update."
        )
    if update.customer_sent_at is not None:
        raise Invalid(f"This customer update on {ticket.key} was already sent.")
    update.customer_sent_at, update.customer_sent_by = now, by
    after = {
        "update": update.id,
        "kind": update.kind,
        "customer_channel": channel_of(playbook, ticket),
    }
    return add_event(db, ticket, kind="customer.update_sent", by=by, now=now, after=after)
