"""The App Home tab: my open tickets and my teams' queues."""

from app.models import Ticket
from app.playbook import Playbook
from blocks.tickets import ticket_list


def home_view(mine: list[Ticket], queue: list[Ticket], playbook: Playbook) -> dict:
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Relay"}},
        *ticket_list("My open tickets", mine, playbook),
        {"type": "divider"},
        *ticket_list("My teams' queues", queue, playbook),
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": "Open a ticket with `/esc new [title]`."}],
        },
    ]
    return {"type": "home", "blocks": blocks}
