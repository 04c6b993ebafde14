"""The drill's scorecard: each ticket's time to acknowledge and to resolve against its
targets (the metric definitions, as the review shows them)."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Ticket
from app.playbook import Playbook
from app.tickets.timeline import timeline
from blocks.review_canvas import key_figures


def scorecard(db: Session, playbook: Playbook) -> list[str]:
    """One line per ticket: `ESC-1 Sev2: acknowledged in 5 min (target 15 min, met); …`.
    Targets under business hours are business minutes; the times are elapsed minutes."""
    lines = []
    for ticket in db.scalars(select(Ticket).order_by(Ticket.id)):
        tta, ttr = key_figures(ticket, timeline(db, ticket))
        severity = playbook.severity(ticket.severity).name
        lines.append(f"{ticket.key} {severity}: acknowledged in {tta}; resolved in {ttr}")
    return lines
