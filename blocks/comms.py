"""Situation updates, executive briefs, customer notices and update reminders: the update
form, and the messages rendered from the playbook's templates (user text escaped; it was
redacted before it was stored)."""

import json
from datetime import UTC, datetime

from app.comms import customers
from app.models import SituationUpdate, Ticket, TimelineEvent
from app.playbook import Playbook
from blocks.ids import Action, Callback, Field
from blocks.inputs import input_block, text_input
from blocks.labels import customer_label, due_time, status_label, team_name, title_label
from blocks.text import escape, mention, plain, truncate

REASONS = {
    "declared": "declared",
    "update": "situation update",
    "severity": "severity changed",
    "resolved": "resolved",
}


def _field(text: str | None, limit: int = 1500) -> str | None:
    """User text for a template: escaped, cut, None (shown as —) when empty."""
    return escape(truncate(text, limit)) if text else None


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, 3000)}}


def _button(action: Action, label: str, value: str, style: str | None = None) -> dict:
    button = {"type": "button", "action_id": action, "value": value}
    button["text"] = {"type": "plain_text", "text": label}
    return {**button, "style": style} if style else button


def update_button(ticket: Ticket) -> dict:
    return _button(Action.UPDATE, "Post update", ticket.key)


def update_modal(
    ticket: Ticket,
    playbook: Playbook,
    *,
    last: SituationUpdate | None,
    due: datetime,
    customer_channel: str | None,
) -> dict:
    """The update form, prefilled from the ticket and its last update."""
    status = last.status if last else status_label(ticket)
    impact = last.impact if last and last.impact else ticket.impact
    picker = {"type": "datetimepicker", "initial_date_time": int(due.timestamp())}
    blocks = [
        {
            "type": "context",
            "elements": [
                {
                    "type": "plain_text",
                    "text": plain(f"{ticket.key}: {truncate(ticket.title, 140)}"),
                }
            ],
        },
        input_block(Field.UPDATE_STATUS, "Status", text_input(status, limit=150, multiline=False)),
        input_block(Field.IMPACT, "Impact", text_input(impact, limit=1500)),
        input_block(
            Field.CURRENT_STATE,
            "Current state",
            text_input(last.current_state if last else "", limit=1500),
        ),
        input_block(Field.ACTIONS, "Actions under way", text_input(limit=1500)),
        input_block(
            Field.DECISION,
            "Decision needed from executives",
            text_input(limit=500),
            optional=True,
            hint="Briefs say what executives are asked to decide; leave empty when nothing.",
        ),
        input_block(Field.NEXT_UPDATE, "Next update by", picker),
    ]
    if customer_channel:
        option = {
            "text": {"type": "plain_text", "text": "Prepare a customer update"},
            "value": "yes",
        }
        blocks += [
            input_block(
                Field.CUSTOMER_UPDATE,
                "Customer",
                {"type": "checkboxes", "options": [option]},
                optional=True,
                hint="You see the redacted preview first; it goes out only when you click Send.",
            ),
            input_block(
                Field.CUSTOMER_TEXT,
                "What the customer is told",
                text_input(limit=1500),
                optional=True,
                hint="Default: the current state. Internal names and sensitive data are removed.",
            ),
        ]
    return {
        "type": "modal",
        "callback_id": Callback.UPDATE,
        "title": {"type": "plain_text", "text": f"Update {ticket.key}"[:24]},
        "submit": {"type": "plain_text", "text": "Post"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps({"key": ticket.key}),
        "blocks": blocks,
    }


def update_values(values: dict) -> dict:
    """The update form's state: text fields, next update (aware datetime or None), customer."""

    def element(field: Field) -> dict:
        return values.get(field, {}).get(field, {}) or {}

    found = {
        f: element(f).get("value") or ""
        for f in (
            Field.UPDATE_STATUS,
            Field.IMPACT,
            Field.CURRENT_STATE,
            Field.ACTIONS,
            Field.DECISION,
            Field.CUSTOMER_TEXT,
        )
    }
    stamp = element(Field.NEXT_UPDATE).get("selected_date_time")
    found[Field.NEXT_UPDATE] = (
        datetime.fromtimestamp(int(stamp), UTC) if stamp not in (None, "") else None
    )
    found[Field.CUSTOMER_UPDATE] = bool(element(Field.CUSTOMER_UPDATE).get("selected_options"))
    return found


def _customer(ticket: Ticket, playbook: Playbook) -> str | None:
    customer = playbook.customers.get(ticket.customer or "")
    return escape(customer.name if customer else ticket.customer) if ticket.customer else None


def _customer_tier(ticket: Ticket, playbook: Playbook) -> str | None:
    tier = playbook.customer_tiers.get(ticket.customer_tier or "")
    return escape(tier.name if tier else ticket.customer_tier) if ticket.customer_tier else None


def _owner(playbook: Playbook, ticket: Ticket) -> str:
    return (
        escape(playbook.name_of(ticket.owner_id, "unassigned")) if ticket.owner_id else "unassigned"
    )


def situation_update(ticket: Ticket, playbook: Playbook, update: SituationUpdate) -> dict:
    """The update as posted in the war room, swarm channel or the card's thread."""
    text = playbook.render_template(
        "situation_update",
        key=ticket.key,
        title=title_label(ticket, playbook, 150),
        severity=playbook.severity(ticket.severity).name,
        status=_field(update.status, 150),
        team=team_name(ticket, playbook),
        tier=ticket.tier,
        customer=customer_label(ticket, playbook),
        owner=_owner(playbook, ticket),
        impact=_field(update.impact),
        summary=_field(update.current_state),
        actions=_field(update.actions),
        decision=_field(update.decision, 500),
        next_update_at=due_time(ticket, playbook, update.next_update_at),
    )
    by = f"Posted by {mention(update.posted_by)}"
    return {
        "text": f"{ticket.key} situation update",
        "blocks": [
            _section(text),
            {"type": "context", "elements": [{"type": "mrkdwn", "text": by}]},
        ],
    }


def executive_brief(
    ticket: Ticket, playbook: Playbook, event: TimelineEvent, url: str | None
) -> dict:
    """One brief, from the `comms.briefed` event's redacted fields."""
    a = event.after
    f = a["fields"]
    text = playbook.render_template(
        "executive_brief",
        key=ticket.key,
        title=_field(f["title"], 150),
        severity=playbook.severity(ticket.severity).name,
        status=status_label(ticket),
        team=team_name(ticket, playbook),
        tier=ticket.tier,
        customer=_customer(ticket, playbook),
        customer_tier=_customer_tier(ticket, playbook),
        owner=_owner(playbook, ticket),
        impact=_field(f["impact"]),
        summary=_field(f["summary"]),
        actions=_field(f["actions"]),
        decision=_field(f["decision"], 500) or "nothing at this point",
        next_update_at=due_time(ticket, playbook, a["next_update_at"])
        if a.get("next_update_at")
        else None,
        url=url,
    )
    head = f"Executive brief: {ticket.key} {REASONS.get(a['reason'], a['reason'])}"
    note = {"type": "context", "elements": [{"type": "mrkdwn", "text": head}]}
    return {"text": head, "blocks": [note, _section(text)]}


def customer_notice(
    ticket: Ticket, playbook: Playbook, update: SituationUpdate, prepared: dict
) -> str:
    """What the customer channel gets: the redacted text the preview showed (`prepared`:
    the `customer.notice_prepared` event's fields), the status in customer words, and only
    the fields the playbook does not mark internal (its checks keep the rest out)."""
    shown = {
        "severity": playbook.severity(ticket.severity).name,
        "team": team_name(ticket, playbook),
        "tier": ticket.tier,
        "owner": _owner(playbook, ticket),
        "customer_tier": _customer_tier(ticket, playbook),
        "title": _field(prepared.get("title"), 150),
        "impact": _field(prepared.get("impact")),
    }
    fields = {k: v for k, v in shown.items() if k not in playbook.internal_fields}
    name = "customer_resolution" if update.kind == "resolution" else "customer_update"
    return playbook.render_template(
        name,
        key=ticket.key,
        customer=_customer(ticket, playbook),
        status=customers.customer_status(ticket),
        summary=_field(update.customer_text),
        next_update_at=due_time(ticket, playbook, update.next_update_at)
        if update.next_update_at
        else None,
        **fields,
    )


def customer_preview(
    ticket: Ticket, playbook: Playbook, update: SituationUpdate, channel: str, prepared: dict
) -> dict:
    """The comms lead's preview, with the Send button."""
    notice = customer_notice(ticket, playbook, update, prepared)
    quoted = "\n".join(f">{line}" for line in notice.splitlines())
    head = f"*Customer update for {ticket.key}*, to <#{channel}> once you click Send:"
    return {
        "text": f"Customer update for {ticket.key}: preview",
        "blocks": [
            _section(f"{head}\n{quoted}"),
            {
                "type": "actions",
                "elements": [
                    _button(Action.SEND_CUSTOMER, "Send", f"{ticket.key}:{update.id}", "primary")
                ],
            },
        ],
    }


def reminder(event: TimelineEvent, ticket: Ticket, playbook: Playbook) -> dict:
    """`update.due` to the comms lead (or IC, owner); `update.overdue` to the IC and manager."""
    due = due_time(ticket, playbook, event.after["due_at"])
    title = title_label(ticket, playbook, 120)
    if event.kind == "update.reminder":
        text = f":memo: A situation update on *{ticket.key}* {title} is due {due}."
    else:
        text = f":hourglass: The update on *{ticket.key}* {title} is overdue (was due {due})."
    return {
        "text": text,
        "blocks": [_section(text), {"type": "actions", "elements": [update_button(ticket)]}],
    }


def thread_text(event: TimelineEvent, ticket: Ticket, playbook: Playbook) -> str | None:
    a = event.after or {}
    match event.kind:
        case "update.overdue":
            due = due_time(ticket, playbook, a["due_at"])
            return f":hourglass: Situation update overdue (was due {due})."
        case "customer.update_sent":
            return (
                f"Customer update sent to <#{a['customer_channel']}> by {mention(event.actor_id)}."
            )
    return None


def card_line(
    ticket: Ticket, playbook: Playbook, last: datetime | None, due: datetime | None
) -> str | None:
    """`last update 10:05 · next due 10:35` for the card."""
    parts = []
    if last:
        parts.append(f"last update {due_time(ticket, playbook, last)}")
    if due:
        parts.append(f"next update due {due_time(ticket, playbook, due)}")
    return " · ".join(parts) or None
