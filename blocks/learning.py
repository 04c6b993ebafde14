"""What the learning loop says: mitigation and resolution notices, the reporter's "Did
this fix it?" DM and form, review reminders; the Resolve form's root-cause choice."""

import json

from app.models import Ticket, TimelineEvent
from app.playbook import Playbook
from blocks.ids import Action, Callback, Field
from blocks.inputs import input_block, text_input
from blocks.labels import due_time, title_label
from blocks.text import escape, mention, plain, truncate

CLOSED = {
    "confirmed": "the reporter confirmed the fix",
    "no_answer": "the reporter did not answer in time",
    "not_fixed_too_late": "the reporter says it is not fixed, but the reopen window has passed",
}
RATING_LABELS = {1: "1: very poor", 2: "2: poor", 3: "3: fair", 4: "4: good", 5: "5: excellent"}


def thread_text(event: TimelineEvent, ticket: Ticket, playbook: Playbook) -> str | None:
    a = event.after or {}
    match event.kind:
        case "mitigated":
            return (
                f":large_green_circle: Mitigated by {mention(event.actor_id)}: the impact is "
                "over; the resolution clock keeps running until it is resolved."
            )
        case "confirmation.asked":
            return f"{mention(a['reporter'])} was asked whether this fixed it."
        case "confirmed":
            said = "it is fixed" if a["fixed"] else "it is *not* fixed"
            return f"{mention(event.actor_id)} says {said}."
        case "closed":
            return f"Closed: {CLOSED.get(a.get('reason'), 'closed')}."
        case "review.due":
            return (
                f":memo: A blameless review is due {due_time(ticket, playbook, a['due_at'])}: "
                f"`/esc review {ticket.key}` drafts it."
            )
        case "review.drafted":
            return f":memo: Review drafted by {mention(event.actor_id)} as a canvas."
        case "action.created":
            return (
                f":pushpin: Action item for {mention(a['owner'])}, due "
                f"{due_time(ticket, playbook, a['due_at'])}: {escape(truncate(a['what'], 300))}"
            )
        case "action.done" | "action.dropped":
            verb = "done" if event.kind == "action.done" else "dropped"
            what = escape(truncate(a["what"], 300))
            return f"Action item {verb} by {mention(event.actor_id)}: {what}"
    return None


def dm_text(event: TimelineEvent, ticket: Ticket, playbook: Playbook) -> str | None:
    a = event.after or {}
    title = title_label(ticket, playbook, 120)
    match event.kind:
        case "confirmed":
            return (
                f":leftwards_arrow_with_hook: The reporter says *{ticket.key}* {title} is not "
                "fixed; it is back with you."
            )
        case "review.reminded":
            due = due_time(ticket, playbook, a["due_at"])
            who = "You lead" if a["role"] == "ic" else "Your team owes"
            return (
                f":memo: {who} the blameless review of *{ticket.key}* {title}, due {due}. "
                f"`/esc review {ticket.key}` drafts it from the timeline."
            )
        case "action.created":
            return (
                f":pushpin: Action item from *{ticket.key}* for you, due "
                f"{due_time(ticket, playbook, a['due_at'])}: {escape(truncate(a['what'], 500))}\n"
                "`/esc actions` lists yours."
            )
        case "action.reminded":
            due = due_time(ticket, playbook, a["due_at"])
            lead = ":alarm_clock: Overdue" if a["overdue"] else ":hourglass: Due soon"
            return (
                f"{lead} ({due}), from *{ticket.key}*: {escape(truncate(a['what'], 500))}\n"
                "`/esc actions` lists yours, with Done and Drop."
            )
    return None


def confirmation_dm(ticket: Ticket, playbook: Playbook) -> dict:
    """The reporter's "Did this fix it?" with Yes and No (each opens the rating form)."""
    text = f"*{ticket.key}* {title_label(ticket, playbook, 150)} was resolved. Did this fix it?"
    summary = ticket.resolution_summary if not _hidden(ticket, playbook) else None
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    if summary:
        quote = f">{escape(truncate(summary, 1500))}"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": quote}})
    blocks.append(
        {
            "type": "actions",
            "elements": [
                _button(Action.CONFIRM_FIXED, "Yes, it is fixed", ticket.key, "primary"),
                _button(Action.CONFIRM_NOT_FIXED, "No", ticket.key),
            ],
        }
    )
    return {"text": f"{ticket.key} was resolved. Did this fix it?", "blocks": blocks}


def _hidden(ticket: Ticket, playbook: Playbook) -> bool:
    return playbook.escalation_types[ticket.escalation_type].confidential


def _button(action: Action, label: str, value: str, style: str | None = None) -> dict:
    button = {
        "type": "button",
        "action_id": action,
        "value": value,
        "text": {"type": "plain_text", "text": label},
    }
    return {**button, "style": style} if style else button


def confirm_modal(ticket: Ticket, playbook: Playbook, *, fixed: bool) -> dict:
    """Rate 1-5 with an optional comment; No also says the ticket goes back to its owner."""
    options = [
        {"text": {"type": "plain_text", "text": label}, "value": str(n)}
        for n, label in RATING_LABELS.items()
    ]
    lead = (
        "Glad it is fixed. How was the support you got?"
        if fixed
        else f"Sorry. {ticket.key} goes back to its owner. How was the support so far?"
    )
    return {
        "type": "modal",
        "callback_id": Callback.CONFIRM,
        "title": {"type": "plain_text", "text": "Did this fix it?"},
        "submit": {"type": "plain_text", "text": "Send"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps({"key": ticket.key, "fixed": fixed}),
        "blocks": [
            {"type": "section", "text": {"type": "plain_text", "text": plain(lead, 300)}},
            input_block(Field.RATING, "Rating", {"type": "static_select", "options": options}),
            input_block(
                Field.COMMENT,
                "Comment",
                text_input(limit=1000),
                optional=True,
                hint="Optional. The team sees it.",
            ),
        ],
    }


def root_cause_input(playbook: Playbook) -> dict:
    options = [
        {"text": {"type": "plain_text", "text": plain(c, 75)}, "value": plain(c, 75)}
        for c in playbook.learning.root_causes
    ]
    return input_block(
        Field.ROOT_CAUSE,
        "Root-cause category",
        {"type": "static_select", "options": options},
        hint="What kind of cause, not who: for the review and the trends.",
    )
