"""What an approval gate posts beyond the thread notice: the DM asking each approver, with
Approve / Reject. Keyed by the event and the approver, so nobody is asked twice."""

from app.effects.outbox import row
from app.models import Ticket, TimelineEvent
from app.playbook import Playbook
from blocks.approvals import request_dm

ASKING = ("approval.requested", "approval.escalated")


def approval_rows(playbook: Playbook, ticket: Ticket, events: list[TimelineEvent], *, now):
    rows = []
    for event in events:
        if event.kind not in ASKING:
            continue
        message = request_dm(event, ticket, playbook, event.after.get("requested_by"))
        for user_id in event.after.get("ask", []):
            rows.append(
                row(
                    key=f"approval:{event.id}:{user_id}",
                    kind="message",
                    payload={"channel": user_id, **message},
                    now=now,
                    subject=("ticket", ticket.id),
                )
            )
    return rows
