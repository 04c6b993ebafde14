"""Intake: clean and check what a form gathered, and open the ticket."""

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

import structlog
from sqlalchemy import bindparam, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.comms.redaction import INTAKE, redact
from app.errors import Invalid
from app.models import KeySequence, Status, Ticket
from app.playbook import Playbook
from app.sla.targets import start_clocks
from app.tickets.classification import Suggestion, suggest_severity
from app.tickets.timeline import add_event

log = structlog.get_logger()

KEY_PREFIX = "ESC"
LIMITS = {"title": 150, "description": 3000, "impact": 3000, "business_rationale": 3000}
REASON_LIMIT = 500
# Characters that can reorder or hide text (bidi controls) are dropped from user input.
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F)}


# Letters that show as nothing: braille blank, Hangul fillers.
_FILLERS = {"\u2800", "\u3164", "\u115f", "\u1160", "\uffa0"}


def _shows_nothing(ch: str) -> bool:
    return ch.isspace() or ch in _FILLERS or unicodedata.category(ch) in ("Cf", "Zs", "Mn", "Me")


def clean_text(value: str | None, *, single_line: bool = False) -> str:
    """Normalise user text: NFC, no control or bidi characters, trimmed; text that would
    show as nothing (zero-width, braille blank, Hangul filler, only spaces) is empty."""
    kept = []
    for ch in value or "":
        if ch in "\n\t":
            kept.append(" " if single_line else ch)
        elif ch not in _BIDI and unicodedata.category(ch) not in ("Cc", "Cs"):
            kept.append(ch)
    # NFC after dropping: "e\u202e\u0301" only composes to "é" once the bidi mark is gone.
    text = unicodedata.normalize("NFC", "".join(kept)).strip()
    return "" if all(_shows_nothing(ch) for ch in text) else text


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
    shown_severity: int | None = None  # the suggestion the form last showed, if any
    redacted: dict[str, int] = field(default_factory=dict)  # kind -> how many, never values
    suggestion: Suggestion | None = field(default=None, repr=False)


class SuggestionChanged(Invalid):
    """The form showed another suggestion than its submitted values give: show it again."""

    def __init__(self, suggestion: Suggestion):
        super().__init__(f"Relay now suggests Sev{suggestion.severity}: {suggestion.explain()}.")
        self.suggestion = suggestion


TEXT_FIELDS = ("title", "description", "impact", "business_rationale", "override_reason")


def clean_intake(intake: Intake) -> Intake:
    for name in TEXT_FIELDS:
        setattr(intake, name, clean_text(getattr(intake, name), single_line=name == "title"))
    return intake


def redact_intake(intake: Intake) -> Intake:
    """Secrets and card numbers replaced before anything stores or posts them;
    `intake.redacted` counts what went (kind -> how many)."""
    counts: dict[str, int] = {}
    for name in TEXT_FIELDS:
        text, found = redact(getattr(intake, name), only=INTAKE)
        for kind, n in found.items():
            counts[kind] = counts.get(kind, 0) + n
        setattr(intake, name, text)
    intake.redacted = counts
    return intake


def suggest(playbook: Playbook, intake: Intake) -> Suggestion:
    """The severity a cleaned intake gets when none is chosen."""
    team = intake.team if intake.team in playbook.teams else None
    return suggest_severity(
        playbook,
        title=intake.title,
        description=intake.description,
        impact=intake.impact,
        team=team,
    )


def severity_reason(playbook: Playbook, intake: Intake, *, severity: int) -> str:
    """Why a new ticket has its severity: the rule's explanation, or who chose it and why."""
    if severity == intake.suggestion.severity:
        return intake.suggestion.explain()
    who = playbook.name_of(intake.reporter_id, "the reporter")
    return f"chosen by {who}: {intake.override_reason}"


def check_intake(playbook: Playbook, intake: Intake) -> Intake:
    """Clean and validate; raises Invalid with one message per modal field, or
    SuggestionChanged when the form's hint no longer matches what was submitted."""
    errors: dict[str, str] = {}
    redact_intake(clean_intake(intake))
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
        intake.suggestion = suggest(playbook, intake)
        chosen, suggested = intake.severity, intake.suggestion.severity
        if intake.shown_severity not in (None, suggested) and chosen != suggested:
            raise SuggestionChanged(intake.suggestion)
        if chosen not in (None, suggested) and not intake.override_reason:
            errors["override_reason"] = (
                f"Relay suggests Sev{suggested} "
                f"({intake.suggestion.explain()}). Say why you chose Sev{chosen}."
            )
    if errors:
        raise Invalid("Please correct the highlighted fields.", errors)
    return intake


# Built once: every new ticket runs them.
_NEXT_VALUE = text(f"SELECT nextval('ticket_keys_{KEY_PREFIX.lower()}')")
_NEXT_ROW = (
    update(KeySequence)
    .where(KeySequence.prefix == KEY_PREFIX)
    .values(value=KeySequence.value + 1)
    .returning(KeySequence.value)
)
_BY_INTAKE = select(Ticket).where(Ticket.intake_id == bindparam("intake_id"))


def next_key(db: Session) -> str:
    """Reserve the next ticket key. PostgreSQL: from the sequence `ticket_keys_<prefix>`
    (migration 0010), which holds no lock while the ticket's transaction goes on; SQLite
    (one writer at a time): the `key_sequences` row."""
    if db.get_bind().dialect.name == "postgresql":
        return f"{KEY_PREFIX}-{db.scalar(_NEXT_VALUE)}"
    return f"{KEY_PREFIX}-{db.execute(_NEXT_ROW).scalar_one()}"


def open_ticket(db: Session, playbook: Playbook, intake: Intake, *, now: datetime):
    """Create a ticket from a checked intake. Returns (ticket, opened): the new ticket's
    `opened` event; a repeated submission of the same modal returns the ticket it already
    made, and None."""
    if intake.intake_id:
        existing = db.scalar(_BY_INTAKE, {"intake_id": intake.intake_id})
        if existing:
            return existing, None
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
                severity_reason=severity_reason(playbook, intake, severity=severity),
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
        existing = db.scalar(_BY_INTAKE, {"intake_id": intake.intake_id})
        if existing is None:
            raise
        return existing, None
    after = {
        "severity": severity,
        "team": ticket.team,
        "tier": "L1",
        "type": ticket.escalation_type,
    }
    opened = add_event(db, ticket, kind="opened", by=intake.reporter_id, now=now, after=after)
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
    if intake.redacted:
        what = ", ".join(f"{n} {kind}" for kind, n in sorted(intake.redacted.items()))
        note = f"Relay removed from the text before storing it: {what}"
        add_event(db, ticket, kind="redacted", by=None, now=now, after=intake.redacted, note=note)
    log.info("ticket.opened", key=ticket.key, severity=severity, team=ticket.team)
    return ticket, opened
