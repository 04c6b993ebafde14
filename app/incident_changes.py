"""War-room and communication changes (an approver's decision, roles, pulling a team in,
captured messages, situation updates, the customer's Send), each through the change layer
like every other change (app/changes.py)."""

from sqlalchemy import select

from app import incidents, tickets
from app.changes import Change, changing, severity_changed
from app.comms import customers, updates
from app.effects.incident_effects import capture_row
from app.incidents import approvals
from app.models import Ticket
from app.runtime import Relay


def decide_approval(
    relay: Relay, key: str, *, approval_id: int, approve: bool, by: str, note: str = ""
) -> Change:
    """An approver's Approve or Reject. A rejected Sev1 goes back to the severity it had
    (with the reason on the timeline); only one decision is ever taken."""
    pb = relay.playbook
    with changing(relay, key) as c:
        decided = approvals.decide(
            c.db,
            pb,
            c.ticket,
            approval_id=approval_id,
            approve=approve,
            by=by,
            now=c.now,
            note=note,
        )
        c.record(decided)
        back = decided[0].after.get("severity")
        if not approve and back and back != c.ticket.severity:
            was, reason = c.ticket.severity, f"approval rejected: {note}"
            changed = tickets.change_severity(
                c.db, pb, c.ticket, severity=back, by=by, now=c.now, reason=reason
            )
            c.record(changed)
            severity_changed(c, pb, by=by, was=was)
    return c


def assign_role(relay: Relay, key: str, *, by: str, role: str, to: str) -> Change:
    """Hand an incident role over; the role card and topic follow, the person gets a DM."""
    with changing(relay, key) as c:
        c.record(
            incidents.assign_role(
                c.db, relay.playbook, c.ticket, role=role, to=to, by=by, now=c.now
            )
        )
    return c


def pull_team(relay: Relay, key: str, *, by: str, team: str) -> Change:
    """Invite another team's primary into the ticket's war room or swarm."""
    with changing(relay, key) as c:
        if by != incidents.commander(c.db, c.ticket):
            tickets.require_may_act(relay.playbook, c.ticket, by)
        c.record(incidents.pull(c.db, relay.playbook, c.ticket, team=team, by=by, now=c.now))
    return c


def capture_message(relay: Relay, *, channel: str, ts: str, by: str | None) -> Change | None:
    """A message pinned or given a :pushpin: in a ticket's war room or swarm goes on its
    timeline once; None when the channel is no ticket's."""
    with relay.sessions() as db:
        ticket_id = incidents.ticket_id_of_channel(db, channel)
        key = db.scalar(select(Ticket.key).where(Ticket.id == ticket_id)) if ticket_id else None
    if key is None:
        return None
    with changing(relay, key) as c:
        found = incidents.captures.capture(c.db, c.ticket, channel=channel, ts=ts, by=by, now=c.now)
        if found is not None:
            c.effects.append(capture_row(c.ticket, found, now=c.now))
    return c


def post_update(relay: Relay, key: str, *, by: str, draft: updates.Draft) -> Change:
    """A situation update: posted, briefed, the cadence reset, a customer notice prepared."""
    with changing(relay, key) as c:
        c.record(updates.post(c.db, relay.playbook, c.ticket, draft, by=by, now=c.now))
    return c


def send_customer_update(relay: Relay, key: str, *, by: str, update_id: int) -> Change:
    """The comms lead's Send: the prepared (redacted) notice goes to the customer channel."""
    with changing(relay, key) as c:
        c.record(customers.send(c.db, relay.playbook, c.ticket, update_id, by=by, now=c.now))
    return c
