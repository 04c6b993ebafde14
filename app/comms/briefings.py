"""Executive briefings: for severities with `exec_briefing`, the playbook's executives, the
customer's exec sponsor and the RACI's `informed` get one DM per person per event, on
declaration (after any approval), each update, a severity change and resolution. An exec
sponsor also gets Sev2 briefs for their own accounts. The brief's text is redacted here
and kept on the `comms.briefed` event, so what the DMs say is what the timeline says."""

from datetime import datetime

from sqlalchemy import select
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
    if not to or (reason != "declared" and _declared_at(_briefed(db, ticket)) > 4):
        return []  # nobody to brief, or not declared to them yet (say, waiting for approval)
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
        "severity": ticket.severity,
        "update": update.id if update else None,
        "next_update_at": update.next_update_at.isoformat()
        if update and update.next_update_at
        else None,
        "fields": fields,
    }
    briefed = add_event(db, ticket, kind="comms.briefed", by=None, now=now, after=after)
    return [e for e in (redacted, briefed) if e]


def on_declared(
    db: Session, playbook: Playbook, ticket: Ticket, *, now: datetime, was: int | None = None
):
    """Call it where a declaration or a raise from `was` takes effect (after any approval).
    A ticket reaching a severity more severe than any declared to executives is briefed as
    a declaration; raised back to one already declared (Sev1, Sev2, Sev1 again) it gets the
    severity-change brief. A lowered ticket is told by `on_lowered`."""
    briefed = _briefed(db, ticket)
    if _declared_at(briefed) > ticket.severity:
        return brief(db, playbook, ticket, reason="declared", now=now)
    if was is not None and ticket.severity < was and _last_heard(briefed) != ticket.severity:
        return brief(db, playbook, ticket, reason="severity", now=now)
    return []


def _briefed(db: Session, ticket: Ticket) -> list[dict]:
    """The `after` of this ticket's `comms.briefed` events, oldest first."""
    stmt = (
        select(TimelineEvent.after)
        .where(TimelineEvent.ticket_id == ticket.id, TimelineEvent.kind == "comms.briefed")
        .order_by(TimelineEvent.id)
    )
    return [a for a in db.scalars(stmt) if a]


def _declared_at(briefed: list[dict]) -> int:
    """The most severe level a declaration brief went out for (5: none)."""
    levels = [a.get("severity", 5) for a in briefed if a.get("reason") == "declared"]
    return min(levels, default=5)


def _last_heard(briefed: list[dict]) -> int | None:
    """The severity the newest brief told executives (None: never briefed)."""
    return briefed[-1].get("severity") if briefed else None


def on_lowered(db: Session, playbook: Playbook, ticket: Ticket, *, was: int, now: datetime):
    """A lowered severity: whoever was briefed at the old severity is told (once), if it
    was declared to them (a gated raise that was rejected never was) and they last heard
    a more severe one."""
    briefed = _briefed(db, ticket)
    heard = _last_heard(briefed)
    if ticket.severity <= was or _declared_at(briefed) > was or heard is None:
        return []
    if heard >= ticket.severity:
        return []
    return brief(db, playbook, ticket, reason="severity", now=now, severity=was)


def on_resolved(db: Session, playbook: Playbook, ticket: Ticket, *, now: datetime):
    return brief(db, playbook, ticket, reason="resolved", now=now)
