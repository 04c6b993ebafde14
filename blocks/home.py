"""The App Home tab: breached and at-risk tickets first, then mine and my teams' queues,
each sorted by SLA risk, each entry with its due time and a button to open it."""

from datetime import datetime

from app.models import Ticket
from app.playbook import Playbook
from app.sla.business_time import SlaState
from app.sla.targets import clock_views
from blocks.card import STATE_LABEL, headline
from blocks.ids import Action
from blocks.labels import due_time

PER_LIST = 10


def _entry(ticket: Ticket, playbook: Playbook, now: datetime) -> dict:
    views = [v for v in clock_views(playbook, ticket, now=now) if v.state != SlaState.MET]
    due = ""
    if views:
        view = views[0] if ticket.acknowledged_at is None else views[-1]
        due = f"\n{view.name} due {due_time(ticket, playbook, view.due_at)} · "
        due += STATE_LABEL[view.state]
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": headline(ticket, playbook) + due},
        "accessory": {
            "type": "button",
            "action_id": Action.OPEN,
            "value": ticket.key,
            "text": {"type": "plain_text", "text": "Open"},
        },
    }


def _list(title: str, tickets: list[Ticket], playbook: Playbook, now: datetime) -> list[dict]:
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": title}}]
    if not tickets:
        return blocks + [{"type": "context", "elements": [{"type": "mrkdwn", "text": "None."}]}]
    blocks += [_entry(t, playbook, now) for t in tickets[:PER_LIST]]
    if len(tickets) > PER_LIST:
        more = f"and {len(tickets) - PER_LIST} more"
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": more}]})
    return blocks


def home_view(mine: list[Ticket], queue: list[Ticket], playbook: Playbook, *, now) -> dict:
    """`mine` and `queue` arrive sorted by SLA risk."""

    def with_state(state):
        seen, found = set(), []
        for t in mine + queue:
            states = {v.state for v in clock_views(playbook, t, now=now)}
            if state in states and t.id not in seen:
                seen.add(t.id)
                found.append(t)
        return found

    blocks = [
        *_list("Breached", with_state(SlaState.BREACHED), playbook, now),
        *_list("At risk", with_state(SlaState.AT_RISK), playbook, now),
        {"type": "divider"},
        *_list("My open tickets", mine, playbook, now),
        *_list("My teams' queues", queue, playbook, now),
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": "Open a ticket with `/esc new [title]`."}],
        },
    ]
    return {"type": "home", "blocks": blocks}
