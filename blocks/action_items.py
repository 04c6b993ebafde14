"""Action items: the form (what, owner, due date), lists with Done and Drop, the App Home
section."""

import json

from app.models import ActionItem
from app.playbook import Playbook
from blocks.ids import Action, Callback, Field
from blocks.inputs import input_block, text_input
from blocks.text import escape, mention, plain, slack_date, truncate

PER_LIST = 20


def action_modal(key: str, *, what: str = "") -> dict:
    return {
        "type": "modal",
        "callback_id": Callback.ACTION_ITEM,
        "title": {"type": "plain_text", "text": "Action item"},
        "submit": {"type": "plain_text", "text": "Add"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps({"key": key}),
        "blocks": [
            {"type": "context", "elements": [{"type": "plain_text", "text": f"From {key}"}]},
            input_block(
                Field.WHAT,
                "What is to be done",
                text_input(plain(what, 500), limit=500),
                hint="A change to a system or process, not a person.",
            ),
            input_block(Field.OWNER, "Owner", {"type": "users_select"}),
            input_block(Field.DUE_ON, "Due date", {"type": "datepicker"}),
        ],
    }


def _line(item: ActionItem, keys: dict[int, str], zone) -> str:
    return (
        f"*{keys.get(item.ticket_id, '?')}* · {mention(item.owner_id)} · due "
        f"{slack_date(item.due_at, zone)}\n{escape(truncate(item.what, 500))}"
    )


def item_blocks(item: ActionItem, keys: dict[int, str], zone) -> list[dict]:
    """The item, with Done and Drop."""
    buttons = [
        (Action.ACTION_DONE, "Done", "primary"),
        (Action.ACTION_DROP, "Drop", None),
    ]
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": _line(item, keys, zone)}},
        {
            "type": "actions",
            "block_id": f"action:{item.id}",
            "elements": [
                {
                    "type": "button",
                    "action_id": action,
                    "value": str(item.id),
                    "text": {"type": "plain_text", "text": label},
                    **({"style": style} if style else {}),
                }
                for action, label, style in buttons
            ],
        },
    ]


def action_list(title: str, items: list[ActionItem], keys: dict[int, str], zone) -> list[dict]:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": f"*{title}*"}}]
    if not items:
        return blocks + [{"type": "context", "elements": [{"type": "mrkdwn", "text": "None."}]}]
    blocks += [b for i in items[:PER_LIST] for b in item_blocks(i, keys, zone)]
    if len(items) > PER_LIST:
        more = f"and {len(items) - PER_LIST} more"
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": more}]})
    return blocks


def plain_list(items: list[ActionItem], playbook: Playbook, zone) -> str:
    """Open items as markdown lines (the review canvas)."""
    return "\n".join(
        f"- [ ] {plain(truncate(i.what, 500))} · {playbook.name_of(i.owner_id, i.owner_id)} · "
        f"due {i.due_at.astimezone(zone):%Y-%m-%d}"
        for i in items
    )
