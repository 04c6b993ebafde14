"""Executive briefings: for severities with `exec_briefing`, the playbook's executives, the
customer's exec sponsor and the RACI's `informed` get one DM per person per event, on
declaration (after any approval), each update, a severity change and resolution. An exec
sponsor also gets Sev2 briefs for their own accounts. The brief's text is redacted here
and kept on the `comms.briefed` event, so what the DMs say is what the timeline says."""

from datetime import datetime

from sqlalchemy.orm import Session

from app.comms import outbound
from app.models import SituationUpdate, Ticket, TimelineEvent
from app.playbook import Playbook
from app.sla import people
from app.tickets.access import role_handles
from app.tickets.timeline import add_event

SPONSOR_SEVERITY = 2  # exec sponsors are also briefed on their accounts' Sev2s


def recipients(playbook: Playbook, ticket: Ticket, *, severity: int | None = None) -> list[str]:
    """Slack ids briefed about this ticket at `severity` (its own by default), once each."""
    level = severity or ticket.severity
    handles: list[str | None] = []
    if playbook.severity(level).actions.exec_briefing:
        handles += list(playbook.roles.executives)
        handles += role_handles(playbook, ticket, "exec_sponsor")
        for entry in playbook.escalation_types[ticket.escalation_type].raci.informed:
            handles += role_handles(playbook, ticket, entry)
    elif level == SPONSOR_SEVERITY:
        handles += role_handles(playbook, ticket, "exec_sponsor")
    found: list[str] = []
    for handle in filter(None, handles):
        found += sorted(people.user_ids(playbook, ticket, [handle]))
    return list(dict.fromkeys(found))


def brief(
    db: Session,
    playbook: Playbook,
    ticket: Ticket,
    *,
    reason: str,
    now: datetime,
    update: SituationUpdate | None = None,
    severity: int | None = None,
) -> list[TimelineEvent]:
    """One `comms.briefed` event (and its `redacted` note) for everyone briefed now."""
    to = recipients(playbook, ticket, severity=severity)
    if not to:
        return []
    if reason == "resolved":
        summary = ticket.resolution_summary or ""
    else:
        summary = update.current_state if update else ""
    texts = {
        "title": ticket.title,
        "impact": update.impact if update and update.impact else ticket.impact,
        "summary": summary,
        "actions": update.actions if update else "",
        "decision": update.decision if update else "",
    }
    fields, redacted = outbound.scrub(db, playbook, ticket, texts, where="executive brief", now=now)
    after = {
        "to": to,
        "reason": reason,
        "update": update.id if update else None,
        "next_update_at": update.next_update_at.isoformat()
        if update and update.next_update_at
        else None,
        "fields": fields,
    }
    briefed = add_event(db, ticket, kind="comms.briefed", by=None, now=now, after=after)
    return [e for e in (redacted, briefed) if e]


def on_declared(db: Session, playbook: Playbook, ticket: Ticket, *, now: datetime):
    """The declaration brief: call it where a declaration takes effect (after any approval)."""
    return brief(db, playbook, ticket, reason="declared", now=now)


def on_severity(
    db: Session, playbook: Playbook, ticket: Ticket, *, was: int, now: datetime
) -> list[TimelineEvent]:
    """A severity change. Raised: a declaration at the new severity (who is briefed there
    hears of it once). Lowered: whoever was briefed at the old severity is told."""
    if ticket.severity < was:
        return on_declared(db, playbook, ticket, now=now)
    return brief(db, playbook, ticket, reason="severity", now=now, severity=was)


def on_resolved(db: Session, playbook: Playbook, ticket: Ticket, *, now: datetime):
    return brief(db, playbook, ticket, reason="resolved", now=now)
