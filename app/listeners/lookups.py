"""The `/esc` subcommands that only read: a ticket, lists of tickets, a timeline, the numbers."""

from app import tickets
from app.errors import Invalid
from app.listeners.requests import Request, key_or_channel, ticket_key
from app.listeners.stats import stats_answer
from blocks.card import headline, ticket_details, ticket_list
from blocks.text import escape
from blocks.timeline import PAGE_SIZE, pages, timeline_page


def show(req: Request) -> dict:
    relay = req.relay
    with relay.sessions() as db:
        ticket = tickets.get_ticket(db, ticket_key(req))
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
        raise Invalid(f"Usage: `{req.usage}` (the page is a number from 1).")
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


def timeline(req: Request) -> dict:
    """A ticket's timeline, a page at a time (for whoever may see the ticket)."""
    key, args = key_or_channel(req)
    if len(args) > 1 or (args and not _page(args[0])):
        raise Invalid(f"The page is a number from 1: `{req.usage}`.")
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


def show_stats(req: Request) -> dict:
    return stats_answer(req.relay, req.user, req.args)
