"""What Relay says when the clock or a person moves a ticket: thread notices and DMs."""

from datetime import datetime

from app.models import Ticket, TimelineEvent
from app.playbook import Playbook
from blocks.card import due_time
from blocks.ids import Action
from blocks.text import escape, mention, truncate

REASONS = {
    "manual": "escalated by hand",
    "response_breach": "the response target was missed",
    "resolution_breach": "the resolution target was missed",
    "still_breached": "still breached at L3",
}
STEP = {"primary": "primary", "secondary": "secondary", "manager": "manager"}


def _due(playbook: Playbook, ticket: Ticket, when: str | None) -> str:
    """A due time as the timeline stores it (ISO text) turned back into a datetime, rendered."""
    return due_time(ticket, playbook, datetime.fromisoformat(when) if when else None)


def _who(playbook: Playbook, handle: str | None) -> str:
    if not handle:
        return "nobody"
    if handle in playbook.groups:
        return escape(playbook.groups[handle].name)
    return mention(playbook.people[handle].slack_id)


def thread_text(event: TimelineEvent, ticket: Ticket, playbook: Playbook) -> str | None:
    """The notice for the card's thread, or None when the event needs none."""
    a, b = event.after or {}, event.before or {}
    when = lambda v: _due(playbook, ticket, v)  # noqa: E731
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
            note = f"\n>{escape(truncate(event.note, 500))}" if event.note else ""
            by = f" by {mention(event.actor_id)}" if event.actor_id else ""
            return f":arrow_up: Escalated to {a['tier']}{by}: {REASONS[a['reason']]}.{note}"
        case "handoff.offered":
            return (
                f"Handoff offered to {_who(playbook, a['to'])} ({STEP[a['step']]} of "
                f"{a['tier']}), accept by {when(a['due_at'])}."
            )
        case "handoff.expired":
            return f"Handoff to {_who(playbook, b['to'])} was not accepted in time."
        case "handoff.settled":
            who = mention(event.actor_id)
            return (
                f"Handoff to {_who(playbook, b['to'])} settled: {who} acknowledged "
                f"{ticket.key} at {a['tier']}."
            )
        case "paged":
            owners = ticket.policy["tiers"][a["tier"]]
            people = " and ".join(_who(playbook, owners[s]) for s in ("primary", "secondary"))
            return f":rotating_light: Sev{a['severity']}: paged {people} ({a['tier']})."
        case "reopened":
            return (
                f":leftwards_arrow_with_hook: Reopened by {mention(event.actor_id)}; resolution "
                f"due {when(a['resolution_due_at'])}."
            )
        case "handoff.accepted":
            who = mention(event.actor_id)
            return f":handshake: {who} accepted and owns {ticket.key} at {a['tier']}."
        case "manager.notified":
            return (
                f"Manager {_who(playbook, ticket.policy['manager'])} told: {REASONS[a['reason']]}."
            )
        case "severity.changed":
            why = f" Reason: {escape(event.note)}" if event.note else ""
            return (
                f"Severity Sev{b['severity']} → Sev{a['severity']} by {mention(event.actor_id)}. "
                f"Response due {when(a['response_due_at'])}, resolution due "
                f"{when(a['resolution_due_at'])}.{why}"
            )
        case "paused":
            who = mention(event.actor_id)
            return f":pause_button: Waiting on the customer ({who}); resolution clock paused."
        case "resumed":
            return (
                f":arrow_forward: Resumed by {mention(event.actor_id)}; resolution due "
                f"{when(a['resolution_due_at'])}."
            )
        case "resolved":
            return f":white_check_mark: Resolved by {mention(event.actor_id)}: {escape(event.note)}"
    return None


def handoff_dm(event: TimelineEvent, ticket: Ticket, playbook: Playbook) -> dict:
    """The DM to the person a ticket is handed to, with the context and an Accept button."""
    a = event.after
    severity = playbook.severity(ticket.severity).name
    lines = [
        f"*{ticket.key}* ({severity}, {escape(playbook.teams[ticket.team].name)} {a['tier']}) "
        f"is handed to you: {escape(truncate(ticket.title, 150))}",
        f"*Impact:* {escape(truncate(ticket.impact, 500))}",
    ]
    if ticket.handoff_note:
        lines.append(f"*Handoff note:* {escape(truncate(ticket.handoff_note, 1500))}")
    lines.append(
        f"Accept by {_due(playbook, ticket, a['due_at'])}, or it goes to the "
        f"{'manager' if a['step'] == 'secondary' else 'next person'}."
    )
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
    title = escape(truncate(ticket.title, 120))
    match event.kind:
        case "paged":
            team = escape(playbook.teams[ticket.team].name)
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
                f"{_due(playbook, ticket, a['due_at'])}."
            )
        case "escalated" | "manager.notified":
            return (
                f"*{ticket.key}* {title} is at {ticket.tier}: {REASONS[a['reason']]}. "
                f"Owner {mention(ticket.owner_id)}."
            )
    return None
