"""`/esc` and its subcommands. Answers are ephemeral (response_url)."""

import re

from slack_bolt import App

from app import escalation, tickets
from app.classification import suggest_severity
from app.context import Relay
from app.errors import Invalid
from app.listeners import operations
from app.listeners.answering import answering
from blocks.ids import Command
from blocks.new_ticket import new_ticket_modal
from blocks.text import escape, plain
from blocks.ticket_modals import escalate_modal, resolve_modal
from blocks.tickets import headline, ticket_details, ticket_list

HELP = """*Relay* escalations. Commands:
• `/esc new [title]`: open a ticket (a form opens)
• `/esc show KEY`: a ticket's details
• `/esc list mine` / `/esc list team`: open tickets you own or reported / of your teams
• `/esc ack KEY`: acknowledge and take ownership
• `/esc assign KEY @person`: hand the ticket to a team member
• `/esc escalate KEY [reason]`: climb a tier with a handoff note (a form opens)
• `/esc sev KEY 1-4 [reason]`: change severity; the clocks are re-targeted
• `/esc wait KEY` / `/esc resume KEY`: pause / resume the resolution clock (waiting on customer)
• `/esc resolve KEY [summary]`: resolve and stop the clocks
• `/esc help`: this message
Or use the message shortcut *Escalate this message*, or the global shortcut *New escalation*."""

KEY = re.compile(r"^[A-Za-z]+-\d+$")
# With should_escape, Slack sends a mention as <@U123|name>; without it, as plain text.
USER_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


def _key(args: list[str], usage: str) -> str:
    if not args:
        raise Invalid(f"Which ticket? Usage: `{usage}`.")
    if not KEY.match(args[0]):
        raise Invalid(f"`{escape(args[0])}` is not a ticket key like ESC-42. Usage: `{usage}`.")
    return args[0].upper()


def open_new(relay: Relay, command: dict, client, title: str) -> None:
    suggestion = suggest_severity(relay.playbook, title=title) if title else None
    view = new_ticket_modal(
        relay.playbook,
        metadata={"origin_channel": command.get("channel_id")},
        title=title,
        suggestion=suggestion,
    )
    client.views_open(trigger_id=command["trigger_id"], view=view)


def show(relay: Relay, user_id: str, key: str) -> dict:
    with relay.sessions() as db:
        ticket = tickets.get_ticket(db, key)
        tickets.require_may_see(relay.playbook, ticket, user_id)
        return {
            "text": headline(ticket, relay.playbook),
            "blocks": ticket_details(ticket, relay.playbook, now=relay.now()),
        }


def list_tickets(relay: Relay, user_id: str, which: str) -> dict:
    playbook = relay.playbook
    with relay.sessions() as db:
        if which == "mine":
            found, title = tickets.tickets_of_user(db, user_id), "Your open tickets"
        elif which == "team":
            teams = [k for k in playbook.teams if user_id in playbook.team_member_ids(k)]
            if not teams:
                return {"text": "You are not on any team in the playbook."}
            found = tickets.tickets_of_teams(db, teams)
            title = "Open tickets of " + ", ".join(escape(playbook.teams[k].name) for k in teams)
        else:
            raise Invalid("Usage: `/esc list mine` or `/esc list team`.")
        found = [t for t in found if tickets.may_see(playbook, t, user_id)]
        return {"text": title, "blocks": ticket_list(title, found, playbook)}


def open_ticket_modal(relay: Relay, key: str, user_id: str, trigger_id: str, client, build):
    """Check who is asking before they fill in a form, then open it."""
    with relay.sessions() as db:
        ticket = tickets.get_ticket(db, key)
        tickets.require_may_act(relay.playbook, ticket, user_id)
        view = build(ticket)
    client.views_open(trigger_id=trigger_id, view=view)


def escalation_form(playbook, ticket, note: str = "") -> dict:
    escalation.require_can_climb(playbook, ticket)
    return escalate_modal(ticket, note=note)


SEVERITY = re.compile(r"^(?:sev)?([1-4])$", re.IGNORECASE)


def handle(relay: Relay, command: dict, client) -> dict | None:
    """Run one subcommand; returns the ephemeral answer (None when a modal opened)."""
    text = command.get("text", "").strip()
    sub, _, rest = text.partition(" ")
    sub, args, user = sub.lower(), rest.split(), command["user_id"]
    if sub in ("", "help"):
        return {"text": HELP}
    if sub == "new":
        open_new(relay, command, client, plain(rest.strip(), 150))
        return None
    if sub == "show":
        return show(relay, user, _key(args, "/esc show KEY"))
    if sub == "list":
        return list_tickets(relay, user, args[0].lower() if args else "mine")
    if sub == "ack":
        return {"text": operations.acknowledge(relay, _key(args, "/esc ack KEY"), user)}
    if sub == "assign":
        key = _key(args, "/esc assign KEY @person")
        match = USER_MENTION.match(args[1]) if len(args) > 1 else None
        if not match:
            raise Invalid("Mention the new owner: `/esc assign KEY @person`.")
        return {"text": operations.assign(relay, key, user, match.group(1))}
    if sub == "escalate":
        key = _key(args, "/esc escalate KEY [reason]")
        note = plain(rest.strip()[len(args[0]) :].strip(), 3000)
        open_ticket_modal(
            relay,
            key,
            user,
            command["trigger_id"],
            client,
            lambda t: escalation_form(relay.playbook, t, note),
        )
        return None
    if sub == "sev":
        key = _key(args, "/esc sev KEY 1-4 [reason]")
        match = SEVERITY.match(args[1]) if len(args) > 1 else None
        if not match:
            raise Invalid("Severity is 1, 2, 3 or 4: `/esc sev KEY 1-4 [reason]`.")
        reason = " ".join(args[2:])
        return {"text": operations.change_severity(relay, key, user, int(match[1]), reason)}
    if sub in ("wait", "resume"):
        key = _key(args, f"/esc {sub} KEY")
        do = operations.wait if sub == "wait" else operations.resume
        return {"text": do(relay, key, user)}
    if sub == "resolve":
        key = _key(args, "/esc resolve KEY [summary]")
        summary = " ".join(args[1:])
        if summary:
            return {"text": operations.resolve(relay, key, user, summary)}
        open_ticket_modal(relay, key, user, command["trigger_id"], client, resolve_modal)
        return None
    return {"text": f"{operations.unknown('/esc ' + sub)}\n\n{HELP}"}


def register(app: App, relay: Relay) -> None:
    @app.command(Command.ESC)
    def handle_esc(ack, body, command, respond, client):
        ack()
        with answering(body, respond, client):
            answer = handle(relay, command, client)
            if answer:
                respond(response_type="ephemeral", **answer)
