"""The ticket card in the team queue channel, and short ticket summaries."""

import re
from datetime import datetime

from app.models import Ticket
from app.playbook import Playbook
from app.sla.targets import clock_views
from app.tickets.access import is_confidential
from blocks.ids import Action
from blocks.labels import (
    CONFIDENTIAL_NOTE,
    customer_label,
    due_time,
    owner_label,
    status_label,
    team_name,
    title_label,
)
from blocks.text import escape, mention, minutes, plain, truncate

STATE_LABEL = {
    "on_track": "on track",
    "at_risk": ":warning: at risk",
    "breached": ":rotating_light: breached",
    "met": "met",
    "paused": ":pause_button: paused",
}


CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")


def targets_text(ticket: Ticket, playbook: Playbook) -> tuple[str, str]:
    business = playbook.severity(ticket.severity).calendar == "business_hours"
    suffix = " (business hours)" if business else ""
    respond = minutes(ticket.response_target_minutes, days=not business)
    resolve = minutes(ticket.resolution_target_minutes, days=not business)
    return f"respond within {respond}{suffix}", f"resolve within {resolve}{suffix}"


def clock_lines(ticket: Ticket, playbook: Playbook, now: datetime) -> list[str]:
    """`due <!date^…|Mon 23 Nov 09:15 GMT> · on track` for the response and resolution clocks."""
    return [
        f"due {due_time(ticket, playbook, view.due_at)} · {STATE_LABEL[view.state]}"
        for view in clock_views(playbook, ticket, now=now)
    ]


def headline(ticket: Ticket, playbook: Playbook) -> str:
    """One mrkdwn line: key, severity, title, owner, status."""
    sev = playbook.severity(ticket.severity).name
    return (
        f"*{ticket.key}* · {sev} · {escape(truncate(ticket.title, 80))} · "
        f"{status_label(ticket)} · owner {owner_label(ticket, playbook)}"
    )


def severity_why(ticket: Ticket, playbook: Playbook) -> str:
    """`Sev1 because matched 'outage', service Payments`, or "" when no reason is stored."""
    if not ticket.severity_reason:
        return ""
    sev = playbook.severity(ticket.severity).name
    return f"{sev} because {escape(truncate(ticket.severity_reason, 300))}"


def card_text(ticket: Ticket, playbook: Playbook) -> str:
    """Notification fallback for the card."""
    sev = playbook.severity(ticket.severity).name
    return f"{ticket.key} {sev}: {title_label(ticket, playbook, 200)}"


def _button(action: Action, label: str, key: str, style: str | None = None) -> dict:
    button = {
        "type": "button",
        "action_id": action,
        "text": {"type": "plain_text", "text": label},
        "value": key,
    }
    return {**button, "style": style} if style else button


def card_actions(ticket: Ticket) -> list[dict]:
    if ticket.status.value in ("resolved", "closed"):
        return []
    actions = []
    if ticket.acknowledged_at is None:
        actions.append(_button(Action.ACK, "Acknowledge", ticket.key, "primary"))
    if ticket.tier != "L3":
        actions.append(_button(Action.ESCALATE, "Escalate", ticket.key))
    actions.append(_button(Action.SEVERITY, "Change severity", ticket.key))
    actions.append(
        {
            "type": "users_select",
            "action_id": Action.ASSIGN,
            "placeholder": {"type": "plain_text", "text": "Assign"},
            **({"initial_user": ticket.owner_id} if ticket.owner_id else {}),
        }
    )
    actions.append(_button(Action.UPDATE, "Post update", ticket.key))
    actions.append(_button(Action.RESOLVE, "Resolve", ticket.key))
    return actions


def _clock_fields(ticket: Ticket, playbook: Playbook, now: datetime) -> list[str]:
    respond, resolve = targets_text(ticket, playbook)
    due = clock_lines(ticket, playbook, now)
    if due:
        respond, resolve = f"{respond}\n{due[0]}", f"{resolve}\n{due[1]}"
    return [f"*Response*\n{respond}", f"*Resolution*\n{resolve}"]


def _card(header: str, fields: list[str], middle: list[dict], ticket, actions) -> list[dict]:
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": plain(header, 150)}},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in fields]},
        *middle,
    ]
    if actions:
        blocks.append({"type": "actions", "block_id": f"card:{ticket.key}", "elements": actions})
    return blocks


def _context(parts: list[str]) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": " · ".join(parts)}]}


def confidential_card(ticket: Ticket, playbook: Playbook, *, now: datetime) -> list[dict]:
    """What the queue channel sees of a confidential ticket: key, severity, type, owner,
    status and clocks; Open shows the rest to those who may see it."""
    fields = [
        f"*Severity*\n{playbook.severity(ticket.severity).name}",
        f"*Type*\n{escape(playbook.escalation_types[ticket.escalation_type].name)}",
        f"*Owner*\n{owner_label(ticket, playbook)}",
        f"*Status*\n{status_label(ticket)}",
        *_clock_fields(ticket, playbook, now),
    ]
    note = _context([CONFIDENTIAL_NOTE])
    actions = [_button(Action.OPEN, "Open", ticket.key), *card_actions(ticket)]
    return _card(f"{ticket.key} · Confidential", fields, [note], ticket, actions)


def ticket_card(
    ticket: Ticket,
    playbook: Playbook,
    *,
    now: datetime,
    public=True,
    room: str | None = None,
    updates: str | None = None,
) -> list[dict]:
    """The card in the queue channel (`public`), or the whole ticket for who may see it;
    `room`: the Slack id of its war room or swarm channel, linked from the card; `updates`:
    when the last situation update was posted and the next is due."""
    if public and is_confidential(playbook, ticket):
        return confidential_card(ticket, playbook, now=now)
    fields = [
        f"*Severity*\n{playbook.severity(ticket.severity).name}",
        f"*Type*\n{escape(playbook.escalation_types[ticket.escalation_type].name)}",
        f"*Customer*\n{customer_label(ticket, playbook)}",
        f"*Team / tier*\n{team_name(ticket, playbook)} · {ticket.tier}",
        f"*Owner*\n{owner_label(ticket, playbook)}",
        f"*Status*\n{status_label(ticket)}",
        *_clock_fields(ticket, playbook, now),
    ]
    context = [f"Reported by {mention(ticket.reporter_id)}"]
    if ticket.severity_reason:
        context.append(severity_why(ticket, playbook))
    if ticket.handoff_to:
        due_at = due_time(ticket, playbook, ticket.handoff_due_at)
        context.append(f"handoff waiting for acceptance ({ticket.handoff_step}, by {due_at})")
    if ticket.source_permalink and ticket.source_permalink.startswith("https://"):
        context.append(f"<{ticket.source_permalink}|source message>")
    if room and CHANNEL_ID.match(room):
        context.append(f"channel <#{room}>")
    if updates:
        context.append(updates)
    impact = "*Impact*\n" + truncate(escape(ticket.impact), 2900)
    middle = [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": truncate(escape(ticket.description), 3000)},
        },
        {"type": "section", "text": {"type": "mrkdwn", "text": impact}},
        _context(context),
    ]
    return _card(f"{ticket.key} {ticket.title}", fields, middle, ticket, card_actions(ticket))


def ticket_details(ticket: Ticket, playbook: Playbook, *, now: datetime) -> list[dict]:
    """What `/esc show KEY` answers: the card without buttons."""
    whole = ticket_card(ticket, playbook, now=now, public=False)
    return [b for b in whole if b["type"] != "actions"]


def ticket_list(title: str, tickets: list[Ticket], playbook: Playbook) -> list[dict]:
    lines = [headline(t, playbook) for t in tickets] or ["Nothing open."]
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{title}*"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": truncate("\n".join(lines), 3000)}},
    ]


def opened_confirmation(ticket: Ticket, playbook: Playbook) -> str:
    team = playbook.teams[ticket.team]
    respond, resolve = targets_text(ticket, playbook)
    sev = playbook.severity(ticket.severity).name
    why = severity_why(ticket, playbook)
    return (
        f"Opened *{ticket.key}* ({sev}, {escape(team.name)}): "
        f"{escape(truncate(ticket.title, 120))}. {why + '. ' if why else ''}"
        f"Targets: {respond}, {resolve}. The card is in <#{team.queue_channel}>."
    )
