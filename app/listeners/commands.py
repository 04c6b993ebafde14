"""`/esc` and its subcommands, from one table (`SUBCOMMANDS`) that also writes `/esc help`
and is checked against the manifest's usage hint. Answers are ephemeral (response_url)."""

import re
from collections.abc import Callable
from dataclasses import dataclass

from app import changes, incidents, reviews, tickets
from app.errors import Invalid
from app.listeners import learning
from app.listeners.answering import answering
from app.listeners.forms import (
    escalation_form,
    open_ticket_modal,
    open_update_modal,
    resolve_form,
)
from app.listeners.stats import stats_answer
from app.models import Ticket
from app.runtime import Relay
from app.tickets.classification import suggest_severity
from blocks import answers
from blocks.card import headline, ticket_details, ticket_list
from blocks.new_ticket import new_ticket_modal
from blocks.text import escape, plain
from blocks.timeline import PAGE_SIZE, pages, timeline_page

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


def _key(req: Request, sub: str) -> str:
    usage = TABLE[sub].line
    if not req.args:
        raise Invalid(f"Which ticket? Usage: `{usage}`.")
    if not KEY.match(req.args[0]):
        raise Invalid(f"`{escape(req.args[0])}` is not a ticket key like ESC-42. Usage: `{usage}`.")
    return req.args[0].upper()


def _text_after_key(req: Request) -> str:
    return req.rest.strip()[len(req.args[0]) :].strip()


def new(req: Request) -> None:
    title = plain(tickets.clean_text(req.rest, single_line=True), 150)
    suggestion = suggest_severity(req.relay.playbook, title=title) if title else None
    view = new_ticket_modal(
        req.relay.playbook,
        metadata={"origin_channel": req.command.get("channel_id")},
        title=title,
        suggestion=suggestion,
    )
    req.client.views_open(trigger_id=req.command["trigger_id"], view=view)


def show(req: Request) -> dict:
    relay = req.relay
    with relay.sessions() as db:
        ticket = tickets.get_ticket(db, _key(req, "show"))
        tickets.require_may_see(relay.playbook, ticket, req.user)
        return {
            "text": headline(ticket, relay.playbook),
            "blocks": ticket_details(ticket, relay.playbook, now=relay.now()),
        }


LIST_SCAN = 500  # open tickets a list pages through


def list_tickets(req: Request) -> dict:
    """Open tickets, most severe and oldest first, a page of 20 at a time."""
    playbook, user = req.relay.playbook, req.user
    which, *rest = [arg.lower() for arg in req.args] or ["mine"]
    if which not in ("mine", "team") or len(rest) > 1 or (rest and not _page(rest[0])):
        raise Invalid(f"Usage: `{TABLE['list'].line}` (the page is a number from 1).")
    page = int(rest[0]) if rest else 1
    with req.relay.sessions() as db:
        if which == "mine":
            found = tickets.tickets_of_user(db, user, limit=LIST_SCAN, playbook=playbook)
            title = "Your open tickets"
        else:
            teams = [k for k in playbook.teams if user in playbook.team_member_ids(k)]
            if not teams:
                return {"text": "You are not on any team in the playbook."}
            found = tickets.tickets_of_teams(db, teams, limit=LIST_SCAN)
            title = "Open tickets of " + ", ".join(escape(playbook.teams[k].name) for k in teams)
        found = [t for t in found if tickets.may_see(playbook, t, user)]
    shown = found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    if page > 1 and not shown:
        last = pages(len(found))
        raise Invalid(f"There are {len(found)}, on {last} page(s): `/esc list {which} {last}`.")
    if len(shown) < len(found):
        first = (page - 1) * PAGE_SIZE + 1
        more = f"; `/esc list {which} {page + 1}` for more" if page < pages(len(found)) else ""
        title += f" ({first}-{first + len(shown) - 1} of {len(found)}{more})"
    return {"text": title, "blocks": ticket_list(title, shown, playbook)}


def _page(arg: str) -> bool:
    return arg.isdigit() and int(arg) >= 1


def ack(req: Request) -> dict:
    c = changes.acknowledge(req.relay, _key(req, "ack"), by=req.user)
    return {"text": answers.acknowledged(c.ticket, c.events)}


def assign(req: Request) -> dict:
    key = _key(req, "assign")
    match = USER_MENTION.match(req.args[1]) if len(req.args) > 1 else None
    if not match:
        raise Invalid(f"Mention the new owner: `{TABLE['assign'].line}`.")
    c = changes.assign(req.relay, key, by=req.user, to=match.group(1))
    return {"text": answers.assigned(c.ticket, c.events, match.group(1))}


def escalate(req: Request) -> None:
    key = _key(req, "escalate")
    build = escalation_form(plain(_text_after_key(req), 3000))
    open_ticket_modal(req.relay, key, req.user, req.command["trigger_id"], req.client, build)


def sev(req: Request) -> dict:
    key = _key(req, "sev")
    match = SEVERITY.match(req.args[1]) if len(req.args) > 1 else None
    if not match:
        raise Invalid(f"Severity is 1, 2, 3 or 4: `{TABLE['sev'].line}`.")
    reason = " ".join(req.args[2:])
    c = changes.change_severity(req.relay, key, by=req.user, severity=int(match[1]), reason=reason)
    return {"text": answers.severity_changed(c.ticket, c.events)}


def wait(req: Request) -> dict:
    c = changes.wait_on_customer(req.relay, _key(req, "wait"), by=req.user)
    return {"text": answers.waiting(c.ticket)}


def resume(req: Request) -> dict:
    c = changes.resume(req.relay, _key(req, "resume"), by=req.user)
    return {"text": answers.resumed(c.ticket)}


def resolve(req: Request) -> dict | None:
    """With a summary a Sev3/Sev4 resolves at once; a Sev1/Sev2 (which needs a root cause)
    and a resolve without a summary open the form, the summary filled in."""
    key = _key(req, "resolve")
    summary = " ".join(req.args[1:])
    with req.relay.sessions() as db:
        needs_form = reviews.resolution.needs_root_cause(tickets.get_ticket(db, key))
    if summary and not needs_form:
        c = changes.resolve(req.relay, key, by=req.user, summary=summary)
        return {"text": answers.resolved(c.ticket)}
    build = resolve_form(plain(summary, 2000))
    open_ticket_modal(req.relay, key, req.user, req.command["trigger_id"], req.client, build)
    return None


def reopen(req: Request) -> dict:
    c = changes.reopen(req.relay, _key(req, "reopen"), by=req.user)
    return {"text": answers.reopened(c.ticket)}


def key_or_channel(req: Request, sub: str) -> tuple[str, list[str]]:
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
            f"`{TABLE[sub].line}`."
        )
    return ticket.key, req.args


def role(req: Request) -> dict:
    key, args = key_or_channel(req, "role")
    name = args[0].lower() if args else ""
    match = USER_MENTION.match(args[1]) if len(args) > 1 else None
    if name not in incidents.ROLES or not match:
        raise Invalid(f"Name a role and mention the person: `{TABLE['role'].line}`.")
    c = changes.assign_role(req.relay, key, by=req.user, role=name, to=match.group(1))
    return {"text": answers.role_given(c.ticket, name, match.group(1), c.events)}


def pull(req: Request) -> dict:
    key, args = key_or_channel(req, "pull")
    if not args:
        raise Invalid(f"Which team? `{TABLE['pull'].line}`.")
    c = changes.pull_team(req.relay, key, by=req.user, team=args[0].lower())
    return {"text": answers.pulled(c.ticket, c.events, req.relay.playbook)}


def show_stats(req: Request) -> dict:
    return stats_answer(req.relay, req.user, req.args)


def timeline(req: Request) -> dict:
    """A ticket's timeline, a page at a time (for whoever may see the ticket)."""
    key, args = key_or_channel(req, "timeline")
    if len(args) > 1 or (args and not args[0].isdigit()) or (args and int(args[0]) < 1):
        raise Invalid(f"The page is a number from 1: `{TABLE['timeline'].line}`.")
    page = int(args[0]) if args else 1
    relay = req.relay
    with relay.sessions() as db:
        ticket = tickets.get_ticket(db, key)
        tickets.require_may_see(relay.playbook, ticket, req.user)
        offset = (page - 1) * PAGE_SIZE
        events, total = tickets.timeline_slice(db, ticket, offset=offset, limit=PAGE_SIZE)
        if page > 1 and not events:
            raise Invalid(f"{key} has {pages(total)} timeline pages.")
        return timeline_page(ticket, relay.playbook, events, page=page, total=total)


def update(req: Request) -> None:
    key, _ = key_or_channel(req, "update")
    open_update_modal(req.relay, key, req.user, req.command["trigger_id"], req.client)


def help_text() -> str:
    lines = [f"• `{s.line}`: {s.summary} ({s.who})" for s in SUBCOMMANDS]
    return (
        "*Relay* escalations. Commands:\n" + "\n".join(lines) + "\nOr use the message shortcut "
        "*Escalate this message*, or the global shortcut *New escalation*."
    )


def show_help(req: Request) -> dict:
    return {"text": help_text()}


TEAM = "team members and admins"
SUBCOMMANDS = (
    Subcommand("new", "[title]", "open a ticket (a form opens)", "anyone", new),
    Subcommand("show", "KEY", "a ticket's details", "anyone who may see it", show),
    Subcommand(
        "list",
        "mine|team [page]",
        "open tickets you own or reported, or of your teams, most severe first",
        "anyone",
        list_tickets,
    ),
    Subcommand("ack", "KEY", "acknowledge and take ownership, or accept a handoff", TEAM, ack),
    Subcommand("assign", "KEY @person", "hand the ticket to a team member", TEAM, assign),
    Subcommand("escalate", "KEY [reason]", "climb a tier with a handoff note", TEAM, escalate),
    Subcommand(
        "sev",
        "KEY 1-4 [reason]",
        "change severity (lowering needs a reason; a Sev1/Sev2 an approver or admin)",
        TEAM,
        sev,
    ),
    Subcommand("wait", "KEY", "waiting on the customer: the resolution clock pauses", TEAM, wait),
    Subcommand("resume", "KEY", "the resolution clock runs again", TEAM, resume),
    Subcommand("resolve", "KEY [summary]", "resolve and stop the clocks", TEAM, resolve),
    Subcommand("reopen", "KEY", "bring a resolved ticket back (within the window)", TEAM, reopen),
    Subcommand(
        "role",
        "[KEY] ic|comms|scribe|facilitator @person",
        "hand an incident role over (the key may be left out in the war room or swarm)",
        "the IC, approvers and admins",
        role,
    ),
    Subcommand(
        "pull",
        "[KEY] TEAM",
        "invite another team's primary at the ticket's tier into its war room or swarm",
        f"the IC, {TEAM}",
        pull,
    ),
    Subcommand(
        "mitigate",
        "[KEY]",
        "the impact is over; the resolution clock keeps running until it is resolved",
        TEAM,
        learning.mitigate,
    ),
    Subcommand(
        "review",
        "[KEY]",
        "draft the blameless review of a resolved ticket as a canvas, from its timeline",
        f"the IC, {TEAM}",
        learning.review,
    ),
    Subcommand(
        "action",
        "[KEY] [what]",
        "add an action item (a form: what, owner, due date)",
        f"the IC, {TEAM}",
        learning.action,
    ),
    Subcommand(
        "actions", "", "open action items: yours and your teams'", "anyone", learning.list_actions
    ),
    Subcommand(
        "timeline",
        "[KEY] [page]",
        "a ticket's timeline, a page at a time (the key may be left out in its channel)",
        "anyone who may see it",
        timeline,
    ),
    Subcommand(
        "update",
        "[KEY]",
        "post a situation update: channel or thread, executives, customer after preview (the "
        "key may be left out in the war room or swarm)",
        f"{TEAM}, the incident's roles",
        update,
    ),
    Subcommand(
        "stats",
        "[team|all] [period]",
        "first response, resolution, % within SLA, escalations, handoffs, reopens, CSAT"
        " (default: your team, 30d; periods like 7d, 12w)",
        "team members for their team; admins, approvers, executives, managers for all",
        show_stats,
    ),
    Subcommand("help", "", "this message", "anyone", show_help),
)
TABLE = {s.name: s for s in SUBCOMMANDS}


def handle(relay: Relay, command: dict, client) -> dict | None:
    """Run one subcommand; returns the ephemeral answer (None when a modal opened)."""
    text = command.get("text", "").strip()
    name, _, rest = text.partition(" ")
    name = name.lower() or "help"
    req = Request(relay, command, client, command["user_id"], rest.split(), rest)
    if name not in TABLE:
        return {"text": f"{answers.unknown('/esc ' + name)}\n\n{help_text()}"}
    return TABLE[name].run(req)


def handle_esc(ack, body, command, respond, client, context):
    ack()
    with answering(body, respond, client):
        answer = handle(context["relay"], command, client)
        if answer:
            respond(response_type="ephemeral", **answer)
