"""One `/esc` invocation, parsed: who asked, the arguments, the subcommand's usage line, and
the ticket it names (by key, or by the war room or swarm it is typed in)."""

import re
from collections.abc import Callable
from dataclasses import dataclass

from app import incidents
from app.errors import Invalid
from app.models import Ticket
from app.runtime import Relay
from blocks.text import escape

KEY = re.compile(r"^[A-Za-z]+-\d+$")
# With should_escape, Slack sends a mention as <@U123|name>; without it, as plain text.
USER_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
SEVERITY = re.compile(r"^(?:sev)?([1-4])$", re.IGNORECASE)


@dataclass(frozen=True)
class Request:
    """One `/esc` invocation, parsed."""

    relay: Relay
    command: dict
    client: object
    user: str
    args: list[str]
    rest: str  # the text after the subcommand, as typed
    usage: str = ""  # the subcommand's usage line, for answers to mistakes


@dataclass(frozen=True)
class Subcommand:
    name: str
    usage: str  # what follows `/esc NAME`
    summary: str
    who: str  # who may use it (checked in the domain)
    run: Callable[[Request], dict | None]  # returns the ephemeral answer, None if a modal opened

    @property
    def line(self) -> str:
        return f"/esc {self.name} {self.usage}".strip()


def ticket_key(req: Request) -> str:
    """The ticket key a command starts with."""
    usage = req.usage
    if not req.args:
        raise Invalid(f"Which ticket? Usage: `{usage}`.")
    if not KEY.match(req.args[0]):
        raise Invalid(f"`{escape(req.args[0])}` is not a ticket key like ESC-42. Usage: `{usage}`.")
    return req.args[0].upper()


def text_after_key(req: Request) -> str:
    return req.rest.strip()[len(req.args[0]) :].strip()


def key_or_channel(req: Request) -> tuple[str, list[str]]:
    """The ticket a command names, or (without a key) the one whose war room or swarm it is
    typed in; and the arguments after the key."""
    if req.args and KEY.match(req.args[0]):
        return req.args[0].upper(), req.args[1:]
    with req.relay.sessions() as db:
        ticket_id = incidents.ticket_id_of_channel(db, req.command.get("channel_id"))
        ticket = db.get(Ticket, ticket_id) if ticket_id else None
    if ticket is None:
        raise Invalid(
            f"Which ticket? Give its key, or type it in the ticket's war room or swarm: "
            f"`{req.usage}`."
        )
    return ticket.key, req.args
