"""Tickets: open, acknowledge, assign, look up. Plain Python over SQLAlchemy; `now` is passed in."""

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

import structlog
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.classification import Suggestion, suggest_severity
from app.clocks import refresh_next_action, start_clocks
from app.errors import Forbidden, Invalid, NotFound
from app.models import OPEN_STATUSES, KeySequence, Status, Ticket, TimelineEvent
from app.playbook import Playbook

log = structlog.get_logger()

KEY_PREFIX = "ESC"
LIMITS = {"title": 150, "description": 3000, "impact": 3000, "business_rationale": 3000}
REASON_LIMIT = 500
# Characters that can reorder or hide text (bidi controls) are dropped from user input.
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F)}


def clean_text(value: str | None, *, single_line: bool = False) -> str:
    """Normalise user text: NFC, no control or bidi characters, trimmed."""
    value = unicodedata.normalize("NFC", value or "")
    kept = []
    for ch in value:
        if ch in "\n\t":
            kept.append(" " if single_line else ch)
        elif ch not in _BIDI and unicodedata.category(ch) not in ("Cc", "Cs"):
            kept.append(ch)
    return "".join(kept).strip()


@dataclass
class Intake:
    """What the new-ticket modal (or a shortcut) gathered, before validation."""

    reporter_id: str
    title: str = ""
    description: str = ""
    impact: str = ""
    business_rationale: str = ""
    team: str | None = None
    customer: str | None = None
    escalation_type: str | None = None
    severity: int | None = None
    override_reason: str = ""
    intake_id: str | None = None
    origin_channel: str | None = None
    source_channel: str | None = None
    source_ts: str | None = None
    source_author_id: str | None = None
    source_permalink: str | None = None
    is_drill: bool = False
    suggestion: Suggestion | None = field(default=None, repr=False)


def check_intake(playbook: Playbook, intake: Intake) -> Intake:
    """Clean and validate; raises Invalid with one message per modal field."""
    errors: dict[str, str] = {}
    intake.title = clean_text(intake.title, single_line=True)
    for name in ("description", "impact", "business_rationale"):
        setattr(intake, name, clean_text(getattr(intake, name)))
    intake.override_reason = clean_text(intake.override_reason)
    for name in ("title", "description", "impact"):
        if not getattr(intake, name):
            errors[name] = "Please fill this in."
    for name, limit in LIMITS.items():
        if len(getattr(intake, name)) > limit:
            errors[name] = f"At most {limit} characters, please."
    if len(intake.override_reason) > REASON_LIMIT:
        errors["override_reason"] = f"At most {REASON_LIMIT} characters, please."
    if intake.team not in playbook.teams:
        errors["team"] = "Choose the team that should own this."
    if intake.escalation_type not in playbook.escalation_types:
        errors["escalation_type"] = "Choose an escalation type."
    if intake.customer is not None and intake.customer not in playbook.customers:
        errors["customer"] = "Choose a customer from the list."
    if intake.severity is not None and intake.severity not in (1, 2, 3, 4):
        errors["severity"] = "Severity is 1, 2, 3 or 4."
    if "title" not in errors and "team" not in errors:
        intake.suggestion = suggest_severity(
            playbook,
            title=intake.title,
            description=intake.description,
            impact=intake.impact,
            team=intake.team,
        )
        chosen = intake.severity
        overriding = chosen is not None and chosen != intake.suggestion.severity
        if overriding and not intake.override_reason:
            errors["override_reason"] = (
                f"Relay suggests Sev{intake.suggestion.severity} "
                f"({intake.suggestion.explain()}). Say why you chose Sev{chosen}."
            )
    if errors:
        raise Invalid("Please correct the highlighted fields.", errors)
    return intake


def next_key(db: Session) -> str:
    """Reserve the next ticket key; the row lock makes it unique under concurrency."""
    value = db.execute(
        update(KeySequence)
        .where(KeySequence.prefix == KEY_PREFIX)
        .values(value=KeySequence.value + 1)
        .returning(KeySequence.value)
    ).scalar_one()
    return f"{KEY_PREFIX}-{value}"


def add_event(db, ticket, *, kind, by, now, before=None, after=None, note=None) -> TimelineEvent:
    """Append to the timeline; the id is assigned at the next flush."""
    event = TimelineEvent(
        ticket_id=ticket.id, at=now, actor_id=by, kind=kind, before=before, after=after, note=note
    )
    db.add(event)
    return event


def open_ticket(db: Session, playbook: Playbook, intake: Intake, *, now: datetime):
    """Create a ticket from a checked intake. Returns (ticket, created); a repeated
    submission of the same modal returns the ticket it already made."""
    if intake.intake_id:
        existing = db.scalar(select(Ticket).where(Ticket.intake_id == intake.intake_id))
        if existing:
            return existing, False
    suggestion = intake.suggestion
    severity = intake.severity or suggestion.severity
    customer = playbook.customers.get(intake.customer) if intake.customer else None
    response, resolution = playbook.targets(severity, intake.customer)
    try:
        with db.begin_nested():
            ticket = Ticket(
                key=next_key(db),
                title=intake.title,
                description=intake.description,
                impact=intake.impact,
                business_rationale=intake.business_rationale,
                severity=severity,
                suggested_severity=suggestion.severity,
                escalation_type=intake.escalation_type,
                team=intake.team,
                tier="L1",
                customer=intake.customer,
                customer_tier=customer.tier if customer else None,
                reporter_id=intake.reporter_id,
                status=Status.OPEN,
                response_target_minutes=response,
                resolution_target_minutes=resolution,
                source_permalink=intake.source_permalink,
                source_channel=intake.source_channel,
                source_ts=intake.source_ts,
                source_author_id=intake.source_author_id,
                origin_channel=intake.origin_channel,
                intake_id=intake.intake_id,
                is_drill=intake.is_drill,
                opened_at=now,
                updated_at=now,
                pauses=[],
                response_warned=False,
                response_breached=False,
                resolution_warned=False,
                resolution_breached=False,
            )
            start_clocks(playbook, ticket, now=now)
            db.add(ticket)
            db.flush()
    except IntegrityError:
        existing = db.scalar(select(Ticket).where(Ticket.intake_id == intake.intake_id))
        if existing is None:
            raise
        return existing, False
    after = {
        "severity": severity,
        "team": ticket.team,
        "tier": "L1",
        "type": ticket.escalation_type,
    }
    add_event(db, ticket, kind="opened", by=intake.reporter_id, now=now, after=after)
    add_event(
        db,
        ticket,
        kind="severity.suggested",
        by=None,
        now=now,
        after={"severity": suggestion.severity, "rule": suggestion.rule},
        note=suggestion.explain(),
    )
    if severity != suggestion.severity:
        add_event(
            db,
            ticket,
            kind="severity.overridden",
            by=intake.reporter_id,
            now=now,
            before={"severity": suggestion.severity},
            after={"severity": severity},
            note=intake.override_reason,
        )
    log.info("ticket.opened", key=ticket.key, severity=severity, team=ticket.team)
    return ticket, True


def get_ticket(db: Session, key: str, *, for_update: bool = False) -> Ticket:
    key = (key or "").strip().upper()
    stmt = select(Ticket).where(Ticket.key == key)
    if for_update:
        stmt = stmt.with_for_update()
    ticket = db.scalar(stmt)
    if ticket is None:
        raise NotFound(f"There is no ticket {key or '(no key given)'}.")
    return ticket


def require_may_act(playbook: Playbook, ticket: Ticket, user_id: str) -> None:
    if not playbook.may_act(user_id, ticket.team):
        team = playbook.teams[ticket.team].name
        raise Forbidden(f"Only members of the {team} team or Relay admins can change {ticket.key}.")


def may_see(playbook: Playbook, ticket: Ticket, user_id: str) -> bool:
    """Confidential escalation types are visible to the team, admins and the reporter only."""
    if not playbook.escalation_types[ticket.escalation_type].confidential:
        return True
    return user_id == ticket.reporter_id or playbook.may_act(user_id, ticket.team)


def require_may_see(playbook: Playbook, ticket: Ticket, user_id: str) -> None:
    if not may_see(playbook, ticket, user_id):
        raise Forbidden(f"{ticket.key} is confidential.")


def acknowledge(db: Session, playbook: Playbook, ticket: Ticket, *, by: str, now: datetime):
    """Returns the new timeline event, or None when the ticket was already acknowledged."""
    require_may_act(playbook, ticket, by)
    if ticket.acknowledged_at is not None:
        return None
    before = {"status": ticket.status.value, "owner": ticket.owner_id}
    ticket.acknowledged_at = now
    if ticket.status == Status.OPEN:
        ticket.status = Status.ACKNOWLEDGED
    ticket.owner_id = ticket.owner_id or by
    ticket.updated_at = now
    refresh_next_action(ticket)  # the response clock stops
    after = {"status": ticket.status.value, "owner": ticket.owner_id}
    log.info("ticket.acknowledged", key=ticket.key, by=by)
    return add_event(db, ticket, kind="acknowledged", by=by, now=now, before=before, after=after)


def assign(db: Session, playbook: Playbook, ticket: Ticket, *, to: str, by: str, now: datetime):
    """Returns the new timeline event, or None when `to` already owns the ticket."""
    require_may_act(playbook, ticket, by)
    if not playbook.may_act(to, ticket.team):
        team = playbook.teams[ticket.team].name
        raise Invalid(f"<@{to}> is not on the {team} team in the playbook, so cannot own it.")
    if ticket.owner_id == to:
        return None
    before = {"owner": ticket.owner_id}
    ticket.owner_id = to
    ticket.updated_at = now
    log.info("ticket.assigned", key=ticket.key, to=to, by=by)
    return add_event(
        db, ticket, kind="assigned", by=by, now=now, before=before, after={"owner": to}
    )


def tickets_of_user(db: Session, user_id: str, *, limit: int = 20) -> list[Ticket]:
    stmt = (
        select(Ticket)
        .where(Ticket.status.in_(OPEN_STATUSES))
        .where(or_(Ticket.owner_id == user_id, Ticket.reporter_id == user_id))
        .order_by(Ticket.severity, Ticket.opened_at)
        .limit(limit)
    )
    return list(db.scalars(stmt))


def tickets_of_teams(db: Session, teams: list[str], *, limit: int = 20) -> list[Ticket]:
    stmt = (
        select(Ticket)
        .where(Ticket.status.in_(OPEN_STATUSES))
        .where(Ticket.team.in_(teams))
        .order_by(Ticket.severity, Ticket.opened_at)
        .limit(limit)
    )
    return list(db.scalars(stmt))


def timeline(db: Session, ticket: Ticket) -> list[TimelineEvent]:
    stmt = select(TimelineEvent).where(TimelineEvent.ticket_id == ticket.id)
    return list(db.scalars(stmt.order_by(TimelineEvent.id)))
