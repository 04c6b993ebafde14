"""The drill's scorecard: each ticket's time to acknowledge and to resolve against its
targets (the metric definitions of app/metrics/definitions.py, from the timeline)."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.metrics import definitions
from app.models import Ticket
from app.playbook import Playbook
from app.tickets.timeline import timeline
from blocks.text import minutes


def _took(took: float | None, target: int, breached: bool) -> str:
    if took is None:
        return f"not yet (target {minutes(target)}{', missed' if breached else ''})"
    verdict = "missed" if breached else "met"
    return f"{minutes(round(took))} (target {minutes(target)}, {verdict})"


def scorecard(db: Session, playbook: Playbook) -> list[str]:
    """One line per ticket: `ESC-1 Sev2: acknowledged in 5 min (target 15 min, met); …`.
    Targets under business hours are business minutes; the times are elapsed minutes."""
    lines = []
    for ticket in db.scalars(select(Ticket).order_by(Ticket.id)):
        events = timeline(db, ticket)
        facts = definitions.TicketFacts(
            severity=ticket.severity,
            team=ticket.team,
            customer_tier=ticket.customer_tier,
            opened_at=ticket.opened_at,
            events=tuple(definitions.Event(e.kind, e.at, e.after or {}) for e in events),
        )
        tta = _took(
            definitions.first_response(facts),
            ticket.response_target_minutes,
            ticket.response_breached,
        )
        ttr = _took(
            definitions.resolution(facts),
            ticket.resolution_target_minutes,
            ticket.resolution_breached,
        )
        severity = playbook.severity(ticket.severity).name
        lines.append(f"{ticket.key} {severity}: acknowledged in {tta}; resolved in {ttr}")
    return lines
