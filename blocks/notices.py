"""What Relay says when the clock or a person moves a ticket: thread notices and DMs."""

from app.models import Ticket, TimelineEvent
from app.playbook import Playbook
from app.tickets.access import is_confidential
from blocks import approvals, comms, incidents, learning
from blocks.ids import Action
from blocks.labels import due_time, owner_label, team_name, title_label, who
from blocks.text import escape, mention, truncate

REASONS = {
    "manual": "escalated by hand",
    "response_breach": "the response target was missed",
    "resolution_breach": "the resolution target was missed",
    "still_breached": "still breached at L3",
}
STEP = {"primary": "primary", "secondary": "secondary", "manager": "manager"}


def thread_text(event: TimelineEvent, ticket: Ticket, playbook: Playbook) -> str | None:
    """The notice for the card's thread, or None when the event needs none. A confidential
    ticket's thread never carries what people wrote (notes, reasons, summaries)."""
    a, b = event.after or {}, event.before or {}
    said = None if is_confidential(playbook, ticket) else event.note
    when = lambda v: due_time(ticket, playbook, v)  # noqa: E731
    match event.kind:
        case "acknowledged":
            return f"Acknowledged by {mention(event.actor_id)}."
        case "assigned":
            return f"Assigned to {mention(a['owner'])} by {mention(event.actor_id)}."
        case "sla.warning":
            return f":warning: {a['clock'].title()} target at risk: due {when(a['due_at'])}."
        case "sla.breached":
            due = when(a["due_at"])
            return f":rotating_light: {a['clock'].title()} target breached (was due {due})."
        case "escalated":
            note = f"\n>{escape(truncate(said, 500))}" if said else ""
            by = f" by {mention(event.actor_id)}" if event.actor_id else ""
            return f":arrow_up: Escalated to {a['tier']}{by}: {REASONS[a['reason']]}.{note}"
        case "handoff.offered":
            return (
                f"Handoff offered to {who(playbook, ticket, a['to'])} ({STEP[a['step']]} of "
                f"{a['tier']}), accept by {when(a['due_at'])}."
            )
        case "handoff.expired":
            return f"Handoff to {who(playbook, ticket, b['to'])} was not accepted in time."
        case "handoff.settled":
            by = mention(event.actor_id)
            return (
                f"Handoff to {who(playbook, ticket, b['to'])} settled: {by} acknowledged "
                f"{ticket.key} at {a['tier']}."
            )
        case "paged":
            owners = ticket.policy["tiers"][a["tier"]]
            people = " and ".join(
                who(playbook, ticket, owners[s]) for s in ("primary", "secondary")
            )
            return f":rotating_light: Sev{a['severity']}: paged {people} ({a['tier']})."
        case "reopened":
            return (
                f":leftwards_arrow_with_hook: Reopened by {mention(event.actor_id)}; resolution "
                f"due {when(a['resolution_due_at'])}."
            )
        case "handoff.accepted":
            by = mention(event.actor_id)
            return f":handshake: {by} accepted and owns {ticket.key} at {a['tier']}."
        case "manager.notified":
            manager = who(playbook, ticket, ticket.policy["manager"])
            return f"Manager {manager} told: {REASONS[a['reason']]}."
        case "severity.changed":
            why = f" Reason: {escape(said)}" if said else ""
            return (
                f"Severity Sev{b['severity']} → Sev{a['severity']} by {mention(event.actor_id)}. "
                f"Response due {when(a['response_due_at'])}, resolution due "
                f"{when(a['resolution_due_at'])}.{why}"
            )
        case "paused":
            by = mention(event.actor_id)
            return f":pause_button: Waiting on the customer ({by}); resolution clock paused."
        case "resumed":
            return (
                f":arrow_forward: Resumed by {mention(event.actor_id)}; resolution due "
                f"{when(a['resolution_due_at'])}."
            )
        case "resolved":
            if is_confidential(playbook, ticket):
                return f":white_check_mark: Resolved by {mention(event.actor_id)}."
            cause = a.get("root_cause")
            why = f"\n*Root cause:* {escape(cause)}" if cause else ""
            return incidents.resolution(ticket, playbook, said).rstrip() + why
    return (
        incidents.thread_text(event, ticket, playbook)
        or approvals.thread_text(event, ticket, playbook)
        or comms.thread_text(event, ticket, playbook)
        or learning.thread_text(event, ticket, playbook)
    )


def handoff_deadline(playbook: Playbook, ticket: Ticket, offer: dict) -> str:
    """Until when the offer stands and who is asked next; the manager is the last step."""
    if offer["due_at"] is None:
        return "Please accept it: you are the last step of the handoff, so no one else is asked."
    after = "the team manager" if offer["step"] == "secondary" else f"the {offer['tier']} secondary"
    return f"Accept by {due_time(ticket, playbook, offer['due_at'])}, or it goes to {after}."


def handoff_dm(event: TimelineEvent, ticket: Ticket, playbook: Playbook) -> dict:
    """The DM to the person a ticket is handed to, with the context and an Accept button."""
    a = event.after
    severity = playbook.severity(ticket.severity).name
    lines = [
        f"*{ticket.key}* ({severity}, {team_name(ticket, playbook)} {a['tier']}) "
        f"is handed to you: {escape(truncate(ticket.title, 150))}",
        f"*Impact:* {escape(truncate(ticket.impact, 500))}",
    ]
    if ticket.handoff_note:
        lines.append(f"*Handoff note:* {escape(truncate(ticket.handoff_note, 1500))}")
    lines.append(handoff_deadline(playbook, ticket, a))
    text = "\n".join(lines)
    return {
        "text": f"{ticket.key} is handed to you",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, 3000)}},
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": Action.ACCEPT_HANDOFF,
                        "value": ticket.key,
                        "style": "primary",
                        "text": {"type": "plain_text", "text": "Accept"},
                    }
                ],
            },
        ],
    }


def dm_text(event: TimelineEvent, ticket: Ticket, playbook: Playbook) -> str | None:
    """A plain DM for pages, warnings and the management path."""
    a = event.after or {}
    title = title_label(ticket, playbook, 120)
    match event.kind:
        case "paged":
            team = team_name(ticket, playbook)
            due = due_time(ticket, playbook, ticket.response_due_at)
            ask = (
                f"Owner {mention(ticket.owner_id)}."
                if ticket.acknowledged_at
                else f"Respond by {due}."
            )
            return (
                f":rotating_light: You are paged: *{ticket.key}* "
                f"{playbook.severity(a['severity']).name} ({team} {a['tier']}): {title}\n"
                f"*Impact:* {escape(truncate(ticket.impact, 500))}\n{ask}"
            )
        case "sla.warning":
            return (
                f":warning: *{ticket.key}* {title}: the {a['clock']} target is due "
                f"{due_time(ticket, playbook, a['due_at'])}."
            )
        case "role.assigned":
            return incidents.role_dm(event, ticket, playbook)
        case "escalated" | "manager.notified":
            return (
                f"*{ticket.key}* {title} is at {ticket.tier}: {REASONS[a['reason']]}. "
                f"Owner {owner_label(ticket, playbook)}."
            )
    return approvals.dm_text(event, ticket, playbook) or learning.dm_text(event, ticket, playbook)


LATE = "_Sent late: Relay's clock was not running when this fell due._"


def marked_late(message: dict) -> dict:
    """A DM that says it comes late."""
    marked = {**message, "text": f"{message['text']}\n{LATE}"}
    if message.get("blocks"):
        note = {"type": "context", "elements": [{"type": "mrkdwn", "text": LATE}]}
        marked["blocks"] = [*message["blocks"], note]
    return marked
