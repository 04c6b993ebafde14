"""A ticket's SLA targets: policy snapshot, due and warning times, state, and the timers
they arm. Pure: `now` is passed in."""

from dataclasses import dataclass
from datetime import datetime

from app.models import OPEN_STATUSES, Status, Ticket
from app.playbook import Playbook
from app.sla.business_time import SlaState, add_business_minutes, due_at, sla_state, warn_at
from app.sla.people import policy_handles, snapshot_people


def snapshot_policy(playbook: Playbook, ticket: Ticket) -> dict:
    """What escalation follows for this ticket, frozen when it opens (or changes severity)."""
    severity = playbook.severity(ticket.severity)
    team = playbook.teams[ticket.team]
    policy = {
        "severity": ticket.severity,
        "response_minutes": ticket.response_target_minutes,
        "resolution_minutes": ticket.resolution_target_minutes,
        "warning_lead_minutes": severity.warning_lead_minutes,
        "handoff_minutes": severity.handoff_minutes,
        "manager_renotify_minutes": severity.manager_renotify_minutes,
        "calendar": severity.calendar,
        "tiers": {
            lvl: {"primary": o.primary, "secondary": o.secondary} for lvl, o in team.tiers.items()
        },
        "manager": team.manager,
    }
    # Who those handles are, so the ticket keeps working if the playbook drops one of them.
    policy["people"] = snapshot_people(playbook, policy_handles(policy))
    return policy


def start_clocks(playbook: Playbook, ticket: Ticket, *, now: datetime) -> None:
    ticket.policy = snapshot_policy(playbook, ticket)
    retarget(playbook, ticket, now=now)


def calendar_for(playbook: Playbook, ticket: Ticket):
    if ticket.policy.get("calendar") != "business_hours":
        return None
    return playbook.teams[ticket.team].calendar


def _pauses(ticket: Ticket) -> list[tuple[datetime, datetime | None]]:
    return [
        (datetime.fromisoformat(start), datetime.fromisoformat(end) if end else None)
        for start, end in ticket.pauses
    ]


def is_paused(ticket: Ticket) -> bool:
    return bool(ticket.pauses) and ticket.pauses[-1][1] is None


def _start(ticket: Ticket, clock: str) -> datetime:
    """Where a clock counts from: the open time, or the change that restarted it."""
    moved = ticket.policy.get(f"{clock}_from")
    return datetime.fromisoformat(moved) if moved else ticket.opened_at


def retarget(playbook: Playbook, ticket: Ticket, *, now: datetime) -> None:
    """(Re)compute both clocks from their start, the policy and the pauses. A breached clock
    stays breached: one breach per missed target, whatever changes follow."""
    calendar = calendar_for(playbook, ticket)
    policy, lead = ticket.policy, ticket.policy["warning_lead_minutes"]
    ticket.response_due_at = add_business_minutes(
        _start(ticket, "response"), policy["response_minutes"], calendar
    )
    ticket.response_warn_at = warn_at(ticket.response_due_at, lead, calendar)
    ticket.resolution_due_at = due_at(
        _start(ticket, "resolution"),
        policy["resolution_minutes"],
        calendar,
        _pauses(ticket),
        now=now,
    )
    ticket.resolution_warn_at = warn_at(ticket.resolution_due_at, lead, calendar)
    # A target moved into the future may warn again, unless it was already missed.
    for clock in ("response", "resolution"):
        if getattr(ticket, f"{clock}_warn_at") > now and not getattr(ticket, f"{clock}_breached"):
            setattr(ticket, f"{clock}_warned", False)


def restart_overdue(playbook: Playbook, ticket: Ticket, *, now: datetime) -> None:
    """After a change of targets (severity, reopen), a clock the change would put in breach
    counts from the change instead; its new start stays in the policy for later retargets."""
    late = [
        clock
        for clock, met in (("response", ticket.acknowledged_at), ("resolution", None))
        if not met
        and not getattr(ticket, f"{clock}_breached")
        and getattr(ticket, f"{clock}_due_at") <= now
    ]
    if late:
        ticket.policy = {**ticket.policy, **{f"{c}_from": now.isoformat() for c in late}}
        retarget(playbook, ticket, now=now)


def restart_resolution(playbook: Playbook, ticket: Ticket, *, now: datetime) -> None:
    """A reopened ticket gets a fresh resolution target, counted from `now`."""
    ticket.policy = {**ticket.policy, "resolution_from": now.isoformat()}
    ticket.resolution_warned = ticket.resolution_breached = False
    retarget(playbook, ticket, now=now)
    restart_overdue(playbook, ticket, now=now)


def timers(ticket: Ticket) -> dict[str, datetime]:
    """The SLA timers this ticket wants now: {kind: due_at} (see app/deadlines.py)."""
    wanted: dict[str, datetime | None] = {}
    if ticket.status in OPEN_STATUSES:
        if ticket.acknowledged_at is None:
            if not ticket.response_warned:
                wanted["response.warning"] = ticket.response_warn_at
            if not ticket.response_breached:
                wanted["response.breach"] = ticket.response_due_at
        if not is_paused(ticket):
            if not ticket.resolution_warned:
                wanted["resolution.warning"] = ticket.resolution_warn_at
            if not ticket.resolution_breached:
                wanted["resolution.breach"] = ticket.resolution_due_at
        wanted["handoff.expiry"] = ticket.handoff_due_at
        wanted["manager.renotify"] = ticket.manager_renotify_at
    return {kind: due for kind, due in wanted.items() if due is not None}


@dataclass(frozen=True)
class ClockView:
    name: str
    due_at: datetime | None
    state: SlaState


def clock_views(playbook: Playbook, ticket: Ticket, *, now: datetime) -> list[ClockView]:
    """Response and resolution: due time and state, for cards and App Home."""
    if ticket.response_due_at is None:
        return []
    # A team the playbook no longer has: its hours are unknown, so states read round the clock.
    calendar = calendar_for(playbook, ticket) if ticket.team in playbook.teams else None
    lead = ticket.policy["warning_lead_minutes"]
    done = ticket.status in (Status.RESOLVED, Status.CLOSED, Status.MITIGATED)
    response = sla_state(
        due=ticket.response_due_at,
        warn_lead_minutes=lead,
        now=now,
        met_at=ticket.acknowledged_at,
        calendar=calendar,
    )
    resolution = sla_state(
        due=ticket.resolution_due_at,
        warn_lead_minutes=lead,
        now=now,
        met_at=ticket.resolved_at if done else None,
        paused=is_paused(ticket),
        calendar=calendar,
    )
    # A missed target stays missed, even if a later change moved its due time on.
    if ticket.response_breached and ticket.acknowledged_at is None:
        response = SlaState.BREACHED
    if ticket.resolution_breached and not done:
        resolution = SlaState.BREACHED
    return [
        ClockView("Response", ticket.response_due_at, response),
        ClockView("Resolution", ticket.resolution_due_at, resolution),
    ]


RISK_ORDER = {
    SlaState.BREACHED: 0,
    SlaState.AT_RISK: 1,
    SlaState.ON_TRACK: 2,
    SlaState.PAUSED: 3,
    SlaState.MET: 4,
}


def risk_key(playbook: Playbook, ticket: Ticket, *, now: datetime) -> tuple:
    """Sort key: breached first, then at risk, then by the nearest due time."""
    views = [v for v in clock_views(playbook, ticket, now=now) if v.state != SlaState.MET]
    if not views:
        return (9, ticket.severity, ticket.opened_at)
    worst = min(views, key=lambda v: (RISK_ORDER[v.state], v.due_at))
    return (RISK_ORDER[worst.state], worst.due_at, ticket.severity)
