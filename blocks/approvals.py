"""Approval gates: the DM that asks an approver (who, why, impact; Approve / Reject), the
modal for a rejection's reason, thread notices and DMs about the decision."""

import json

from app.models import Ticket, TimelineEvent
from app.playbook import Playbook
from app.tickets.access import is_confidential
from blocks.ids import Action, Callback, Field
from blocks.inputs import input_block, text_input
from blocks.labels import customer_label, due_time, team_name, title_label
from blocks.text import escape, mention, truncate

REASON_LIMIT = 500
WHY = {
    "severity": "declared {sev} by someone who is not an approver",
    "type": "its escalation type ({type}) needs an approver",
}


def button_value(ticket: Ticket, approval_id: int) -> str:
    return f"{ticket.key}:{approval_id}"


def parse_value(value: str) -> tuple[str, int]:
    """`ESC-4:7` → ("ESC-4", 7); ValueError when it is not that."""
    key, _, approval = (value or "").rpartition(":")
    if not key:
        raise ValueError(value)
    return key, int(approval)


def _why(event: TimelineEvent, ticket: Ticket, playbook: Playbook) -> str:
    a = event.after or {}
    kind = playbook.escalation_types.get(ticket.escalation_type)
    return WHY[a["reason"]].format(
        sev=playbook.severity(a.get("severity") or ticket.severity).name,
        type=escape(kind.name if kind else ticket.escalation_type),
    )


def request_dm(event: TimelineEvent, ticket: Ticket, playbook: Playbook) -> dict:
    """The DM asking an approver to decide, with the context: who, why, impact."""
    a = event.after
    requester = a.get("requested_by")
    severity = playbook.severity(ticket.severity).name
    lines = [
        f":raising_hand: *Approval needed: {ticket.key}* ({severity}, "
        f"{team_name(ticket, playbook)}): {title_label(ticket, playbook, 150)}",
        f"*Who:* {mention(requester) if requester else 'Relay'} · *Why:* "
        f"{_why(event, ticket, playbook)}",
    ]
    if not is_confidential(playbook, ticket):
        lines.append(f"*Customer:* {customer_label(ticket, playbook)}")
        lines.append(f"*Impact:* {escape(truncate(ticket.impact, 800)) or 'not stated'}")
    lines.append(
        "The ticket and its clocks run already; the war room waits for this decision. "
        f"Unanswered by {due_time(ticket, playbook, a['due_at'])}, it goes to the next "
        "approver, then is approved automatically."
    )
    value = button_value(ticket, a["approval"])
    buttons = [
        {
            "type": "button",
            "action_id": Action.APPROVE,
            "value": value,
            "style": "primary",
            "text": {"type": "plain_text", "text": "Approve"},
        },
        {
            "type": "button",
            "action_id": Action.REJECT,
            "value": value,
            "style": "danger",
            "text": {"type": "plain_text", "text": "Reject"},
        },
    ]
    text = truncate("\n".join(lines), 3000)
    return {
        "text": f"Approval needed: {ticket.key}",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": text}},
            {"type": "actions", "elements": buttons},
        ],
    }


def reject_modal(key: str, approval_id: int) -> dict:
    return {
        "type": "modal",
        "callback_id": Callback.REJECT_APPROVAL,
        "title": {"type": "plain_text", "text": f"Reject {key}"[:24]},
        "submit": {"type": "plain_text", "text": "Reject"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps({"key": key, "approval": approval_id}),
        "blocks": [
            input_block(
                Field.REASON,
                "Why",
                text_input(limit=REASON_LIMIT),
                hint="Recorded on the timeline; the ticket keeps the severity it had before.",
            )
        ],
    }


def thread_text(event: TimelineEvent, ticket: Ticket, playbook: Playbook) -> str | None:
    """The card thread's notice for an approval event (never the reason of a
    confidential ticket)."""
    a = event.after or {}
    by = mention(event.actor_id) if event.actor_id else "Relay"
    match event.kind:
        case "approval.requested":
            asked = ", ".join(mention(u) for u in a.get("ask", [])) or "nobody (no other approver)"
            return f":raising_hand: Approval asked of {asked}: {_why(event, ticket, playbook)}."
        case "approval.escalated":
            asked = ", ".join(mention(u) for u in a.get("ask", []))
            return f":raising_hand: Approval not answered in time; now asked of {asked}."
        case "approval.approved":
            if a.get("auto"):
                return ":white_check_mark: Approved automatically: no approver answered in time."
            return f":white_check_mark: Approved by {by}."
        case "approval.rejected":
            said = "" if is_confidential(playbook, ticket) or not event.note else event.note
            why = f" Reason: {escape(truncate(said, 500))}" if said else ""
            return f":no_entry: Rejected by {by}.{why}"
        case "approval.withdrawn":
            return "The approval is withdrawn: it is no longer needed."
    return None


def dm_text(event: TimelineEvent, ticket: Ticket, playbook: Playbook) -> str | None:
    """The requester's DM when their declaration is decided."""
    text = thread_text(event, ticket, playbook)
    if event.kind in ("approval.approved", "approval.rejected") and text:
        return f"*{ticket.key}* {title_label(ticket, playbook, 120)}: {text}"
    return None


def decided(ticket: Ticket, events: list) -> str:
    """The answer to the approver who decided."""
    kinds = [e.kind for e in events]
    if "approval.approved" in kinds:
        return f"You approved *{ticket.key}*; what it waited for goes ahead."
    return f"You rejected *{ticket.key}*; it is Sev{ticket.severity}."
