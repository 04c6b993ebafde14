"""Approval gates. A Sev1 (a severity with `approval_gate`) declared or raised by someone
who is not an approver, and any ticket of a `requires_approval` type, waits for an
approver: the ticket and its clocks start at once, what the declaration sets off waits.

`on_approved` is the ONE place where a declaration takes effect, gated or not: an
ungated declaration calls it at once, a gated one when it is approved (by a click, or
automatically when nobody answered). Whatever a declaration sets off (the war room or
swarm with its RACI invitations, the wider paging; executive briefings) hooks in there.

Approvers are asked one at a time, in the playbook's order (never the requester): the
first, then after the severity's `approval_minutes` the next; unanswered by the next too,
the gate approves itself (`approval.approved` with `after.auto`)."""

from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from app import deadlines
from app.comms import briefings
from app.errors import Forbidden, Invalid
from app.incidents import rooms
from app.models import OPEN_STATUSES, Approval, ApprovalStatus, Ticket, TimelineEvent
from app.playbook import Playbook
from app.tickets.timeline import add_event

PENDING = ApprovalStatus.PENDING
ASKED_MAX = 2  # the first approver, then the next; then it approves itself
TIMER = "approval.due"
TIMERS = deadlines.timer_rows(
    Approval.ticket_id,
    TIMER,
    Approval.due_at,
    Approval.due_at.is_not(None),
    Approval.status == PENDING,
)


def on_approved(
    db: Session,
    playbook: Playbook,
    ticket: Ticket,
    *,
    declarer: str | None,
    now: datetime,
    was: int | None = None,
) -> list[TimelineEvent]:
    """What a declaration sets off, once it may: the war room (Sev1) or swarm (Sev2) the
    ticket's severity wants, with its IC and its RACI invitations, and the executives'
    declaration (or severity-change) brief (app/comms/briefings.py). Called for every
    declaration, gated or not; `was`: the severity before a change."""
    events = rooms.on_severity(db, playbook, ticket, by=declarer, now=now)
    return events + briefings.on_declared(db, playbook, ticket, now=now, was=was)


_OF_TICKET = select(Approval).where(Approval.ticket_id == bindparam("ticket"))  # built once


def pending(db: Session, ticket: Ticket) -> Approval | None:
    stmt = select(Approval).where(Approval.ticket_id == ticket.id, Approval.status == PENDING)
    return db.scalar(stmt)


def _gated(playbook: Playbook, severity: int | None) -> bool:
    return severity is not None and playbook.severity(severity).actions.approval_gate


def _approved(known: list[Approval], reason: str, severity: int) -> bool:
    """Whether an earlier approval of this ticket (among `known`, its approvals) covers this."""
    return any(
        a.status == ApprovalStatus.APPROVED
        and a.reason == reason
        and (reason != "severity" or a.severity <= severity)
        for a in known
    )


def needed(
    playbook: Playbook, ticket: Ticket, known: list[Approval], *, by: str | None, was: int | None
) -> str | None:
    """Why this declaration (or raise from `was`) needs an approver: `type`, `severity`,
    or None. `known`: the ticket's approvals."""
    typed = playbook.escalation_types[ticket.escalation_type].requires_approval
    if typed and not _approved(known, "type", ticket.severity):
        return "type"
    raised = _gated(playbook, ticket.severity) and not _gated(playbook, was)
    approver = by is not None and playbook.is_approver(by)
    if raised and not approver and not _approved(known, "severity", ticket.severity):
        return "severity"
    return None


def declare(
    db: Session,
    playbook: Playbook,
    ticket: Ticket,
    *,
    by: str | None,
    now: datetime,
    was: int | None = None,
) -> list[TimelineEvent]:
    """A ticket opened (`was` None) or changed severity from `was`: ask the approvers when
    it needs them, else let the declaration take effect. A pending approval that no longer
    has a reason (the severity went down again) is withdrawn. The ticket's approvals are
    read once; a ticket just opened has none yet, so they are not read."""
    events = []
    known = [] if was is None else list(db.scalars(_OF_TICKET, {"ticket": ticket.id}))
    waiting = next((a for a in known if a.status == PENDING), None)
    if waiting is not None:
        if waiting.reason == "type" or _gated(playbook, ticket.severity):
            return []  # the decision to come covers this change too
        events.append(_close(db, ticket, waiting, ApprovalStatus.WITHDRAWN, by=by, now=now))
    reason = needed(playbook, ticket, known, by=by, was=was)
    if reason is None:
        return events + on_approved(db, playbook, ticket, declarer=by, now=now, was=was)
    return [*events, _request(db, playbook, ticket, reason, by=by, now=now, was=was)]


def _previous(ticket: Ticket, was: int | None) -> int:
    """The severity a rejection leaves: the one before the raise; for a declaration, the
    severity Relay suggested, at least one level less severe."""
    if was is not None:
        return was
    return min(4, max(ticket.suggested_severity, ticket.severity + 1))


def approvers(playbook: Playbook, ticket: Ticket, requester: str | None) -> list[str]:
    """Slack ids of who may be asked, in the playbook's order, without the requester."""
    found = [playbook.user_id(h) for h in playbook.roles.approvers]
    return [u for u in dict.fromkeys(found) if u and u != requester]


def _wait(playbook: Playbook, ticket: Ticket, now: datetime) -> datetime:
    return now + timedelta(minutes=playbook.severity(ticket.severity).approval_minutes)


def _request(db, playbook, ticket, reason, *, by, now, was) -> TimelineEvent:
    first = approvers(playbook, ticket, by)[:1]
    approval = Approval(
        ticket_id=ticket.id,
        reason=reason,
        severity=ticket.severity,
        previous_severity=_previous(ticket, was) if reason == "severity" else None,
        requested_by=by,
        requested_at=now,
        status=PENDING,
        asked=first,
        due_at=_wait(playbook, ticket, now),
    )
    db.add(approval)
    db.flush()  # its id goes on the buttons
    after = {
        "approval": approval.id,
        "reason": reason,
        "severity": ticket.severity,
        "due_at": approval.due_at.isoformat(),
        "ask": first,
        "notify": first,  # the DM with Approve / Reject
        "requested_by": by,
    }
    return add_event(db, ticket, kind="approval.requested", by=by, now=now, after=after)


def act_on_due(db: Session, playbook: Playbook, ticket: Ticket, *, now: datetime, due: list[str]):
    """Unanswered in time: ask the next approver, or approve automatically."""
    approval = pending(db, ticket) if TIMER in due else None
    if approval is None or approval.due_at is None or approval.due_at > now:
        return []
    left = approvers(playbook, ticket, approval.requested_by)
    left = [u for u in left if u not in approval.asked]
    if left and len(approval.asked) < ASKED_MAX:
        approval.asked = [*approval.asked, left[0]]
        approval.due_at = _wait(playbook, ticket, now)
        after = {
            "approval": approval.id,
            "ask": [left[0]],
            "notify": [left[0]],
            "reason": approval.reason,
            "severity": approval.severity,
            "requested_by": approval.requested_by,
            "due_at": approval.due_at.isoformat(),
        }
        return [add_event(db, ticket, kind="approval.escalated", by=None, now=now, after=after)]
    return _approve(db, playbook, ticket, approval, by=None, now=now)


def require_may_decide(playbook: Playbook, approval: Approval, by: str) -> None:
    if not playbook.is_approver(by):
        names = ", ".join(playbook.people[h].name for h in playbook.roles.approvers) or "none"
        raise Forbidden(f"Only approvers decide approval gates (approvers: {names}).")
    if by == approval.requested_by:
        raise Forbidden("You asked for this approval; another approver decides it.")


def decide(
    db: Session,
    playbook: Playbook,
    ticket: Ticket,
    *,
    approval_id: int,
    approve: bool,
    by: str,
    now: datetime,
    note: str = "",
) -> list[TimelineEvent]:
    """An approver's decision. Exactly one decision per approval, whoever clicks twice or
    at once: the status moves from pending with a conditional UPDATE (the ticket row is
    locked too), and a second decision is refused with what the first was."""
    approval = db.get(Approval, approval_id)
    if approval is None or approval.ticket_id != ticket.id:
        raise Invalid("That approval no longer exists.")
    require_may_decide(playbook, approval, by)
    if not approve and not note:
        raise Invalid("Say why it is rejected.", {"reason": "Say why it is rejected."})
    if approval.status != PENDING:
        raise Invalid(already(playbook, ticket, approval))
    if approve:
        return _approve(db, playbook, ticket, approval, by=by, now=now)
    return [_close(db, ticket, approval, ApprovalStatus.REJECTED, by=by, now=now, note=note)]


def already(playbook: Playbook, ticket: Ticket, approval: Approval) -> str:
    who = playbook.name_of(approval.decided_by, "Relay") if approval.decided_by else "Relay"
    return f"The approval for {ticket.key} was already {approval.status.value} by {who}."


def _claim(db: Session, approval: Approval, status: ApprovalStatus, *, by, now, note=None):
    """Move the approval from pending to `status`; refuse when someone else did first."""
    moved = db.execute(
        update(Approval)
        .where(Approval.id == approval.id, Approval.status == PENDING)
        .values(status=status, decided_by=by, decided_at=now, note=note, due_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.refresh(approval)
    if moved != 1:
        raise Invalid("This approval was decided meanwhile; nothing was changed.")


def _close(db, ticket, approval, status, *, by, now, note=None) -> TimelineEvent:
    _claim(db, approval, status, by=by, now=now, note=note)
    after = {
        "approval": approval.id,
        "reason": approval.reason,
        "severity": approval.previous_severity or ticket.severity,
        "notify": [u for u in [approval.requested_by] if u and u != by],
    }
    kind = f"approval.{status.value}"
    return add_event(db, ticket, kind=kind, by=by, now=now, after=after, note=note)


def _approve(db, playbook, ticket, approval, *, by, now) -> list[TimelineEvent]:
    _claim(db, approval, ApprovalStatus.APPROVED, by=by, now=now)
    after = {
        "approval": approval.id,
        "reason": approval.reason,
        "severity": ticket.severity,
        "auto": by is None,
        "notify": [u for u in [approval.requested_by] if u and u != by],
    }
    approved = add_event(db, ticket, kind="approval.approved", by=by, now=now, after=after)
    if ticket.status not in OPEN_STATUSES:
        return [approved]
    taken = on_approved(
        db,
        playbook,
        ticket,
        declarer=approval.requested_by,
        now=now,
        was=approval.previous_severity if approval.reason == "severity" else None,
    )
    return [approved, *taken]


def withdraw_if_closed(db: Session, ticket: Ticket, *, by: str | None, now: datetime):
    """A ticket resolved while it waited: nobody needs to decide any more."""
    approval = pending(db, ticket)
    if approval is None or ticket.status in OPEN_STATUSES:
        return []
    return [_close(db, ticket, approval, ApprovalStatus.WITHDRAWN, by=by, now=now)]
