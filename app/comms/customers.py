"""Customer updates: a customer with a channel can be told. The notice is redacted (and
stripped of internal names and of what fields marked internal say) when it is prepared;
the comms lead sees that preview and clicks Send; nothing reaches a customer channel
without that click, and it goes once. What a customer reads as the status is here too."""

from datetime import datetime

from sqlalchemy.orm import Session

from app.comms import outbound
from app.errors import Forbidden, Invalid
from app.incidents.roles import holders
from app.models import OPEN_STATUSES, SituationUpdate, Status, Ticket, TimelineEvent
from app.playbook import Playbook
from app.tickets.timeline import add_event

# Relay's states in a customer's words: never a tier, a team or Relay's own state names.
CUSTOMER_STATUS = {
    Status.OPEN: "Investigating",
    Status.ACKNOWLEDGED: "Investigating",
    Status.IN_PROGRESS: "Investigating",
    Status.WAITING: "Waiting for your reply",
    Status.MITIGATED: "Monitoring",
    Status.RESOLVED: "Resolved",
    Status.CLOSED: "Resolved",
}


SHOWN = ("title", "impact")  # the ticket's free text a customer template may show


def customer_status(ticket: Ticket) -> str:
    """The status a customer sees; an open ticket whose impact is over is "Monitoring"."""
    if ticket.mitigated_at and ticket.status in OPEN_STATUSES and ticket.status != Status.WAITING:
        return "Monitoring"
    return CUSTOMER_STATUS[ticket.status]


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
    shown = {f: getattr(ticket, f) for f in SHOWN if f not in playbook.internal_fields}
    texts = {"text": text, **shown}
    found, redacted = outbound.scrub(
        db, playbook, ticket, texts, where="customer update", now=now, customer=True, update=update
    )
    update.customer_text = found["text"]
    after = {
        "update": update.id,
        "kind": update.kind,
        "customer_channel": channel,
        **{f: found.get(f) for f in SHOWN},  # None: marked internal, never shown
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
