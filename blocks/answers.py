"""What Relay answers the person who changed a ticket (ephemeral or DM)."""

from app.incidents.roles import ROLE_NAMES
from app.models import Ticket
from blocks.text import escape, mention


def acknowledged(ticket: Ticket, events: list) -> str:
    kinds = [e.kind for e in events]
    if not kinds:
        return f"{ticket.key} was already acknowledged; owner {mention(ticket.owner_id)}."
    if kinds[0] == "handoff.accepted":
        return accepted(ticket)
    settled = " The waiting handoff is settled." if "handoff.settled" in kinds else ""
    if ticket.owner_id == events[0].actor_id:
        return f"You acknowledged *{ticket.key}* and own it now.{settled}"
    return f"You acknowledged *{ticket.key}*; owner {mention(ticket.owner_id)}.{settled}"


def accepted(ticket: Ticket) -> str:
    return f"You accepted *{ticket.key}* and own it at {ticket.tier}."


def assigned(ticket: Ticket, events: list, to: str) -> str:
    if not events:
        return f"{mention(to)} already owns {ticket.key}."
    return f"*{ticket.key}* now belongs to {mention(to)}."


def escalated(ticket: Ticket) -> str:
    return f"*{ticket.key}* is escalated to {ticket.tier}; the handoff is offered."


def severity_changed(ticket: Ticket, events: list) -> str:
    if not events:
        return f"{ticket.key} is already Sev{ticket.severity}."
    kinds = {e.kind for e in events}
    paged = " Its tier's primary and secondary are paged." if "paged" in kinds else ""
    room = {
        "war_room.opened": " A war room opens.",
        "swarm.opened": " A swarm channel opens.",
        "channel.unarchived": " Its channel comes back from the archive.",
        "channel.renamed": " Its swarm channel becomes the war room.",
    }
    opened = "".join(text for kind, text in room.items() if kind in kinds)
    if "approval.requested" in kinds:
        opened += " An approver is asked first; the war room waits for the decision."
    return (
        f"*{ticket.key}* is now Sev{ticket.severity}; its clocks were re-targeted.{paged}{opened}"
    )


def waiting(ticket: Ticket) -> str:
    return f"*{ticket.key}* is waiting on the customer; the resolution clock is paused."


def resumed(ticket: Ticket) -> str:
    return f"*{ticket.key}* resumed; the resolution clock runs again."


def resolved(ticket: Ticket) -> str:
    return f"*{ticket.key}* is resolved; its clocks are stopped."


def reopened(ticket: Ticket) -> str:
    owner = f"owned by {mention(ticket.owner_id)}" if ticket.owner_id else "unowned"
    return f"*{ticket.key}* is reopened ({owner}); the resolution clock runs again."


def unknown(what: str) -> str:
    return f"I don't know `{escape(what)}`."


def role_given(ticket, role: str, user_id: str, events) -> str:
    if not events:
        return f"{mention(user_id)} already is {ROLE_NAMES[role]} for {ticket.key}."
    return f"{mention(user_id)} is now {ROLE_NAMES[role]} for {ticket.key}; they got a DM."


def pulled(ticket, events, playbook) -> str:
    a = events[-1].after
    people = ", ".join(mention(u) for u in a["invite"]) or "nobody"
    team = escape(playbook.teams[a["team"]].name)
    return f"Pulled {team}'s {a['tier']} primary into the channel of {ticket.key}: {people}."


def update_posted(ticket, events) -> str:
    """What the poster is told: where it went, who was briefed, what was removed."""
    kinds = {e.kind: e for e in events}
    said = [f"Situation update on *{ticket.key}* posted"]
    if "comms.briefed" in kinds:
        said.append(f"{len(kinds['comms.briefed'].after['to'])} executive(s) briefed")
    if "customer.notice_prepared" in kinds:
        said.append("the customer update waits in your DMs for Send")
    removed = [e for e in events if e.kind == "redacted"]
    if removed:
        counts = {k: v for e in removed for k, v in e.after.items() if k != "where"}
        said.append("removed " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())))
    return "; ".join(said) + "."


def customer_sent(ticket) -> str:
    return f"The customer update on *{ticket.key}* is sent."
