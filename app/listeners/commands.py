"""`/esc` and its subcommands, from one table (`SUBCOMMANDS`) that also writes `/esc help`
and is checked against the manifest's usage hint. Answers are ephemeral (response_url)."""

from app import changes, incident_changes, incidents, reviews, tickets
from app.errors import Invalid
from app.listeners import learning
from app.listeners.answering import answering
from app.listeners.forms import (
    escalation_form,
    open_ticket_modal,
    open_update_modal,
    resolve_form,
)
from app.listeners.lookups import list_tickets, show, show_stats, timeline
from app.listeners.requests import (
    SEVERITY,
    USER_MENTION,
    Request,
    Subcommand,
    key_or_channel,
    text_after_key,
    ticket_key,
)
from app.runtime import Relay
from app.tickets.classification import suggest_severity
from blocks import answers
from blocks.new_ticket import new_ticket_modal
from blocks.text import plain


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


def ack(req: Request) -> dict:
    c = changes.acknowledge(req.relay, ticket_key(req), by=req.user)
    return {"text": answers.acknowledged(c.ticket, c.events)}


def assign(req: Request) -> dict:
    key = ticket_key(req)
    match = USER_MENTION.match(req.args[1]) if len(req.args) > 1 else None
    if not match:
        raise Invalid(f"Mention the new owner: `{req.usage}`.")
    c = changes.assign(req.relay, key, by=req.user, to=match.group(1))
    return {"text": answers.assigned(c.ticket, c.events, match.group(1))}


def escalate(req: Request) -> None:
    key = ticket_key(req)
    build = escalation_form(plain(text_after_key(req), 3000))
    open_ticket_modal(req.relay, key, req.user, req.command["trigger_id"], req.client, build)


def sev(req: Request) -> dict:
    key = ticket_key(req)
    match = SEVERITY.match(req.args[1]) if len(req.args) > 1 else None
    if not match:
        raise Invalid(f"Severity is 1, 2, 3 or 4: `{req.usage}`.")
    reason = " ".join(req.args[2:])
    c = changes.change_severity(req.relay, key, by=req.user, severity=int(match[1]), reason=reason)
    return {"text": answers.severity_changed(c.ticket, c.events)}


def wait(req: Request) -> dict:
    c = changes.wait_on_customer(req.relay, ticket_key(req), by=req.user)
    return {"text": answers.waiting(c.ticket)}


def resume(req: Request) -> dict:
    c = changes.resume(req.relay, ticket_key(req), by=req.user)
    return {"text": answers.resumed(c.ticket)}


def resolve(req: Request) -> dict | None:
    """With a summary a Sev3/Sev4 resolves at once; a Sev1/Sev2 (which needs a root cause)
    and a resolve without a summary open the form, the summary filled in."""
    key = ticket_key(req)
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
    c = changes.reopen(req.relay, ticket_key(req), by=req.user)
    return {"text": answers.reopened(c.ticket)}


def role(req: Request) -> dict:
    key, args = key_or_channel(req)
    name = args[0].lower() if args else ""
    match = USER_MENTION.match(args[1]) if len(args) > 1 else None
    if name not in incidents.ROLES or not match:
        raise Invalid(f"Name a role and mention the person: `{req.usage}`.")
    c = incident_changes.assign_role(req.relay, key, by=req.user, role=name, to=match.group(1))
    return {"text": answers.role_given(c.ticket, name, match.group(1), c.events)}


def pull(req: Request) -> dict:
    key, args = key_or_channel(req)
    if not args:
        raise Invalid(f"Which team? `{req.usage}`.")
    c = incident_changes.pull_team(req.relay, key, by=req.user, team=args[0].lower())
    return {"text": answers.pulled(c.ticket, c.events, req.relay.playbook)}


def update(req: Request) -> None:
    key, _ = key_or_channel(req)
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
    if name not in TABLE:
        return {"text": f"{answers.unknown('/esc ' + name)}\n\n{help_text()}"}
    sub = TABLE[name]
    return sub.run(
        Request(relay, command, client, command["user_id"], rest.split(), rest, sub.line)
    )


def handle_esc(ack, body, command, respond, client, context):
    ack()
    with answering(body, respond, client):
        answer = handle(context["relay"], command, client)
        if answer:
            respond(response_type="ephemeral", **answer)
