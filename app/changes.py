"""Every change to a ticket, whoever starts it (a listener, the clock, a drill), goes
through here: lock the ticket, call the domain, which returns timeline events; keep the
ticket's timers equal to what it now wants; turn the events into effects; commit; deliver.
Listeners turn the returned `Change` into an answer."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

import structlog
from sqlalchemy import union_all
from sqlalchemy.orm import Session

from app import deadlines, incidents, reviews, tickets
from app.comms import briefings, cadence, customers
from app.effects.outbox import enqueue_rows
from app.effects.ticket_effects import card_key, confirmation_row, event_rows, permalink_row
from app.errors import Invalid
from app.incidents import approvals, rooms
from app.models import Ticket, TimelineEvent
from app.playbook import Playbook
from app.runtime import Relay
from app.sla import escalation, targets

log = structlog.get_logger()


@dataclass
class Change:
    """One ticket changed in one transaction, and what happened to it."""

    db: Session
    ticket: Ticket
    now: datetime
    events: list[TimelineEvent] = field(default_factory=list)
    effects: list[dict] = field(default_factory=list)  # rows beyond what the events post
    fired: list[str] = field(default_factory=list)  # timer kinds the clock fired
    set_aside_until: datetime | None = None  # the clock could not act: try again then
    rendered: bool = False  # `effects` already hold what the events post

    def record(self, result: TimelineEvent | list[TimelineEvent] | None) -> None:
        self.events += [e for e in (result if isinstance(result, list) else [result]) if e]


# The timers capabilities keep in their own rows (rooms, approvals, learning), in one query.
# The SLA's follow from the ticket; the cadence's may be made here (cadence.timers).
_KEPT_TIMERS = union_all(rooms.TIMERS, approvals.TIMERS, *reviews.TIMERS)


def commit_changes(db: Session, playbook: Playbook, changes: list[Change]) -> None:
    """Timers and effects of these changes, in the current transaction (one batch)."""
    db.flush()  # events get their ids
    wanted = {}
    kept = deadlines.wanted(db, _KEPT_TIMERS, [c.ticket.id for c in changes])
    now = max(c.now for c in changes) if changes else None
    cadences = cadence.timers(db, playbook, [c.ticket for c in changes], now=now)
    for c in changes:
        timers = {**targets.timers(c.ticket), **kept[c.ticket.id], **cadences[c.ticket.id]}
        if c.set_aside_until:
            timers = {k: max(at, c.set_aside_until) for k, at in timers.items()}
        wanted[c.ticket.id] = {  # a timer that just fired is never due again at once
            k: at for k, at in timers.items() if not (k in c.fired and at <= c.now)
        }
    deadlines.sync(db, "ticket", wanted)
    rows = [
        r
        for c in changes
        if not c.rendered
        for r in event_rows(playbook, c.ticket, c.events, now=c.now)
    ]
    enqueue_rows(db, rows + [r for c in changes for r in c.effects])


@contextmanager
def changing(relay: Relay, key: str) -> Iterator[Change]:
    """Lock ticket `key`, let the caller change it, commit with timers and effects, deliver."""
    with relay.sessions() as db, db.begin():
        change = Change(db, tickets.get_ticket(db, key, for_update=True), relay.now())
        yield change
        commit_changes(db, relay.playbook, [change])
    if change.events or change.effects:
        relay.deliver_committed(change.ticket.id)


def open_ticket(relay: Relay, intake: tickets.Intake, *, acknowledge=lambda: None) -> Change | None:
    """Store a checked intake as a ticket with its card and the submitter's confirmation;
    None when this submission already made one. `acknowledge` runs once it is committed
    and before anything is sent (Slack hears back only about a saved ticket)."""
    with relay.sessions() as db, db.begin():
        now = relay.now()
        ticket, opened = tickets.open_ticket(db, relay.playbook, intake, now=now)
        change = (
            record_opening(db, relay.playbook, ticket, now=now, opened=opened) if opened else None
        )
    acknowledge()
    if change is None:
        log.info("intake.duplicate_submission", key=ticket.key)
        return None
    relay.deliver_committed(ticket.id)
    return change


def record_opening(
    db: Session,
    playbook: Playbook,
    ticket: Ticket,
    *,
    now: datetime,
    opened: TimelineEvent | None = None,
) -> Change:
    """A new ticket's timers, card, confirmation and paging, in the transaction that opened it.
    `opened`: its `opened` event, as `tickets.open_ticket` made it (else read back)."""
    if ticket.source_channel and ticket.source_ts:  # before the card, which links to it
        enqueue_rows(db, [permalink_row(ticket, now=now)])
    change = Change(
        db, ticket, now, events=[opened] if opened else tickets.timeline(db, ticket)[:1]
    )
    change.record(escalation.page(db, playbook, ticket, now=now))
    change.record(approvals.declare(db, playbook, ticket, by=ticket.reporter_id, now=now))
    db.flush()  # the card's key names the last event
    # Rendered here: a new ticket's only room is one its events name (no lookup needed).
    change.effects = event_rows(playbook, ticket, change.events, now=now, rooms={})
    change.rendered = True
    card = card_key(ticket, change.events)
    change.effects.append(confirmation_row(playbook, ticket, now=now, after=card))
    commit_changes(db, playbook, [change])
    return change


def acknowledge(relay: Relay, key: str, *, by: str) -> Change:
    """Acknowledge, or accept the handoff when one is waiting for this person; an ack by
    anyone else allowed settles a waiting handoff, so it goes no further."""
    pb = relay.playbook
    with changing(relay, key) as c:
        if c.ticket.handoff_to and escalation.may_accept(pb, c.ticket, by):
            c.record(escalation.accept_handoff(c.db, pb, c.ticket, by=by, now=c.now))
        else:
            c.record(tickets.acknowledge(c.db, pb, c.ticket, by=by, now=c.now))
            c.record(escalation.settle_handoff(c.db, pb, c.ticket, by=by, now=c.now))
    return c


def accept_handoff(relay: Relay, key: str, *, by: str) -> Change:
    with changing(relay, key) as c:
        c.record(escalation.accept_handoff(c.db, relay.playbook, c.ticket, by=by, now=c.now))
    return c


def assign(relay: Relay, key: str, *, by: str, to: str) -> Change:
    with changing(relay, key) as c:
        c.record(tickets.assign(c.db, relay.playbook, c.ticket, to=to, by=by, now=c.now))
    return c


MEANWHILE = {
    "tier": "{key} was escalated to {ticket.tier} while your form was open",
    "severity": "{key} became Sev{ticket.severity} while your form was open",
}


def expect(ticket: Ticket, seen: dict | None) -> None:
    """Compare-and-set on what the person saw: a change made meanwhile is not redone."""
    for name, value in (seen or {}).items():
        if value is not None and getattr(ticket, name) != value:
            said = MEANWHILE[name].format(key=ticket.key, ticket=ticket)
            raise Invalid(f"{said}; nothing was changed.")


def escalate(relay: Relay, key: str, *, by: str, note: str, seen: dict | None = None) -> Change:
    with changing(relay, key) as c:
        tickets.require_may_act(relay.playbook, c.ticket, by)
        expect(c.ticket, seen)
        c.record(
            escalation.escalate(
                c.db, relay.playbook, c.ticket, by=by, now=c.now, reason="manual", note=note
            )
        )
    return c


def change_severity(
    relay: Relay, key: str, *, by: str, severity: int, reason: str, seen: dict | None = None
) -> Change:
    """Change severity; a ticket raised to a severity that pages has its tier paged."""
    pb = relay.playbook
    with changing(relay, key) as c:
        expect(c.ticket, seen)
        was = c.ticket.severity
        changed = tickets.change_severity(
            c.db, pb, c.ticket, severity=severity, by=by, now=c.now, reason=reason
        )
        if changed:
            c.record(changed)
            severity_changed(c, pb, by=by, was=was)
    return c


def severity_changed(c: Change, playbook: Playbook, *, by: str | None, was: int) -> None:
    """A ticket whose severity changed: its tier paged (when the new one pages), and the
    declaration gated or taking effect (app/incidents/approvals.py)."""
    c.record(escalation.page(c.db, playbook, c.ticket, now=c.now, was=was))
    c.record(approvals.declare(c.db, playbook, c.ticket, by=by, now=c.now, was=was))
    c.record(briefings.on_lowered(c.db, playbook, c.ticket, was=was, now=c.now))


def wait_on_customer(relay: Relay, key: str, *, by: str) -> Change:
    with changing(relay, key) as c:
        c.record(tickets.wait_on_customer(c.db, relay.playbook, c.ticket, by=by, now=c.now))
    return c


def resume(relay: Relay, key: str, *, by: str) -> Change:
    with changing(relay, key) as c:
        c.record(tickets.resume(c.db, relay.playbook, c.ticket, by=by, now=c.now))
    return c


def resolve(
    relay: Relay, key: str, *, by: str, summary: str, root_cause: str | None = None
) -> Change:
    """Resolve (a Sev1/Sev2 with a root-cause category); the reporter is asked whether it
    is fixed and a Sev1/Sev2 review falls due."""
    pb = relay.playbook
    with changing(relay, key) as c:
        cause = reviews.resolution.check_root_cause(pb, c.ticket, root_cause)
        c.record(
            tickets.resolve(c.db, pb, c.ticket, by=by, now=c.now, summary=summary, root_cause=cause)
        )
        c.record(incidents.on_resolved(c.db, pb, c.ticket, now=c.now))
        c.record(reviews.on_resolved(c.db, pb, c.ticket, now=c.now))
        c.record(approvals.withdraw_if_closed(c.db, c.ticket, by=by, now=c.now))
        c.record(briefings.on_resolved(c.db, relay.playbook, c.ticket, now=c.now))
        c.record(customers.resolution_notice(c.db, relay.playbook, c.ticket, by=by, now=c.now))
    return c


def reopen(relay: Relay, key: str, *, by: str) -> Change:
    with changing(relay, key) as c:
        c.record(tickets.reopen(c.db, relay.playbook, c.ticket, by=by, now=c.now))
        incidents.on_reopened(c.db, c.ticket)
        reviews.on_reopened(c.db, c.ticket, now=c.now)
    return c
