"""War rooms and swarm channels: topic, purpose, the pinned summary and role card, the
resolution, thread notices about the channel and the DM to a person given a role."""

from datetime import datetime

from app.comms.redaction import redact
from app.incidents.roles import ROLE_NAMES
from app.models import Ticket, TimelineEvent
from app.playbook import Playbook
from blocks.card import clock_lines
from blocks.comms import update_button
from blocks.labels import customer_label, status_label, team_name
from blocks.text import escape, mention, plain, truncate

TOPIC_MAX = 250  # conversations.setTopic / setPurpose
KIND = {"war_room": "War room", "swarm": "Swarm"}
ROLE_ORDER = ("ic", "facilitator", "comms", "scribe")
ROLE_DUTIES = {
    "ic": "you lead the response: decide, delegate, and keep everyone on one plan. Hand roles "
    "over with `/esc role`.",
    "comms": "you keep stakeholders informed: situation updates on the cadence, and what "
    "customers and executives are told.",
    "scribe": "you keep the record: pin (:pushpin:) decisions and findings so they reach the "
    "timeline.",
    "facilitator": "you run the swarm: bring in the specialists (`/esc pull`), keep the "
    "discussion on the problem, and hand the ticket on when it is understood.",
}


def _name(playbook: Playbook, user_id: str | None) -> str:
    return playbook.name_of(user_id, "nobody") if user_id else "nobody"


def topic(ticket: Ticket, playbook: Playbook, held: dict[str, str]) -> str:
    """`Sev1 · IC: Priya Shah · In progress` (plain text: topics show as typed)."""
    lead = "ic" if "ic" in held else "facilitator"
    parts = [
        playbook.severity(ticket.severity).name,
        f"{'IC' if lead == 'ic' else 'Facilitator'}: {_name(playbook, held.get(lead))}",
        status_label(ticket),
    ]
    return plain(" · ".join(parts), TOPIC_MAX)


def purpose(ticket: Ticket, title: str | None = None) -> str:
    """`ESC-7: title`, with the title as redacted when the channel was opened (a purpose is
    shown to everyone in the channel)."""
    return plain(f"{ticket.key}: {title or redact(ticket.title).text}", TOPIC_MAX)


def summary(ticket: Ticket, playbook: Playbook, *, related: list[str], now: datetime) -> dict:
    """The pinned summary: impact, customer and tier, team, clocks, related tickets."""
    lines = [
        f"*{ticket.key}* {escape(truncate(ticket.title, 150))}",
        f"*Severity:* {playbook.severity(ticket.severity).name} · *Team:* "
        f"{team_name(ticket, playbook)} · *Customer:* {customer_label(ticket, playbook)}",
        f"*Impact:* {escape(truncate(ticket.impact, 1500)) or 'not stated'}",
        " · ".join(clock_lines(ticket, playbook, now)),
        f"*Related open tickets:* {', '.join(related) if related else 'none'}",
    ]
    text = "\n".join(line for line in lines if line)
    return {
        "text": f"{ticket.key} summary",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, 3000)}},
            {"type": "actions", "elements": [update_button(ticket)]},
        ],
    }


def role_card(ticket: Ticket, held: dict[str, str]) -> dict:
    """Who holds which role; roles nobody holds say so."""
    shown = [r for r in ROLE_ORDER if r in held or r in ("comms", "scribe")]
    lines = [f"*{ROLE_NAMES[r]}:* {mention(held[r]) if r in held else 'unassigned'}" for r in shown]
    text = f"*Roles for {ticket.key}*\n" + "\n".join(lines)
    hint = "Hand a role over: `/esc role ic|comms|scribe|facilitator @person`"
    return {
        "text": f"Roles for {ticket.key}",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": text}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": hint}]},
        ],
    }


def resolution(ticket: Ticket, playbook: Playbook, summary: str | None = None) -> str:
    """The playbook's `resolution_notice`; `summary` instead of the ticket's stored one."""
    summary = summary or ticket.resolution_summary or ""
    return playbook.render_template(
        "resolution_notice",
        key=ticket.key,
        title=escape(truncate(ticket.title, 150)),
        summary=escape(truncate(summary, 2000)) or None,
        owner=_name(playbook, ticket.owner_id),
        team=team_name(ticket, playbook),
    )


def thread_text(event: TimelineEvent, ticket: Ticket, playbook: Playbook) -> str | None:
    """The card thread's notice for a channel event."""
    a, b = event.after or {}, event.before or {}
    match event.kind:
        case "channel.renamed":
            return f"Swarm `#{b['name']}` becomes war room `#{a['name']}`."
        case "channel.pulled":
            team = escape(playbook.teams[a["team"]].name)
            pulled = ", ".join(mention(u) for u in a["invite"]) or "nobody"
            return f"{team} pulled in by {mention(event.actor_id)}: {pulled} ({a['tier']} primary)."
        case "channel.archived":
            return f"`#{a['name']}` archived."
        case "channel.unarchived":
            return f"`#{a['name']}` is back from the archive."
        case "role.assigned":
            by = f" by {mention(event.actor_id)}" if event.actor_id else ""
            return f"{ROLE_NAMES[a['role']]}: {mention(a['user'])}{by}."
    return None


def channel_ready(purpose: str, channel_id: str, private: bool) -> str:
    """The card thread's notice once the channel exists (a link to it)."""
    kind = f"{'Private ' if private else ''}{KIND[purpose].lower()}"
    return f":rotating_light: {kind[0].upper()}{kind[1:]} <#{channel_id}> is open."


def role_dm(event: TimelineEvent, ticket: Ticket, playbook: Playbook) -> str:
    a = event.after or {}
    name = ROLE_NAMES[a["role"]]
    return (
        f"You are now *{name}* for *{ticket.key}* "
        f"({playbook.severity(ticket.severity).name}): {ROLE_DUTIES[a['role']]}"
    )


def failure_note(kind: str, error: str, user: str | None = None) -> str:
    """What the ticket thread says when part of the channel could not be made."""
    if kind == "channel.invite" and user:
        return (
            f":warning: Relay could not invite {mention(user)} to the channel "
            f"(`{escape(error)}`); please add them by hand."
        )
    what = {
        "channel.create": "create the channel",
        "channel.invite": "invite someone to the channel",
        "channel.rename": "rename the channel",
        "channel.archive": "archive the channel",
        "channel.unarchive": "bring the channel back from the archive",
    }.get(kind, "finish setting up the channel")
    return f":warning: Relay could not {what} (`{escape(error)}`); please do it by hand."
