"""Action items: what, owner, due date; reminders before the due date and when overdue;
done or dropped. Each belongs to a ticket and changes through it (app/changes.py)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import String, cast, literal, or_, select

from app import deadlines
from app.errors import Forbidden, Invalid
from app.incidents import commander
from app.models import ActionItem, Ticket, TimelineEvent
from app.playbook import Playbook
from app.tickets.access import require_may_act
from app.tickets.intake import clean_text
from app.tickets.timeline import add_event

WHAT_LIMIT = 500
FURTHEST = timedelta(days=366)
CLOSED = {"done": "action.done", "dropped": "action.dropped"}


def _zone(playbook: Playbook, ticket: Ticket):
    team = playbook.teams.get(ticket.team)
    return team.calendar.zone if team else ZoneInfo("UTC")


def may_manage(db, playbook: Playbook, ticket: Ticket, by: str) -> None:
    """The ticket's team, admins and its IC."""
    if by != commander(db, ticket):
        require_may_act(playbook, ticket, by)


def check_item(playbook: Playbook, ticket: Ticket, *, what, owner, due_on, now: datetime):
    """(what, owner, due_at) cleaned, or Invalid with every field's problem."""
    errors = {}
    what = clean_text(what or "")
    if not what:
        errors["what"] = "Say what is to be done."
    elif len(what) > WHAT_LIMIT:
        errors["what"] = f"At most {WHAT_LIMIT} characters, please."
    if not owner:
        errors["owner"] = "Pick who will do it."
    elif playbook.person_by_user_id(owner) is None:
        errors["owner"] = "Pick someone in the playbook (Relay reminds them)."
    due_at = None
    try:
        day = date.fromisoformat(due_on or "")
    except ValueError:
        errors["due_on"] = "Pick a due date."
    else:
        zone = _zone(playbook, ticket)
        due_at = datetime.combine(day + timedelta(days=1), time(0), zone)  # end of that day
        if day < now.astimezone(zone).date():
            errors["due_on"] = "The due date is in the past."
        elif due_at - now > FURTHEST:
            errors["due_on"] = "Pick a date within a year."
    if errors:
        raise Invalid(" ".join(errors.values()), errors)
    return what, owner, due_at


def create(
    db, playbook: Playbook, ticket: Ticket, *, by: str, what, owner, due_on, now: datetime
) -> TimelineEvent:
    may_manage(db, playbook, ticket, by)
    what, owner, due_at = check_item(
        playbook, ticket, what=what, owner=owner, due_on=due_on, now=now
    )
    remind_at = due_at - timedelta(hours=playbook.learning.action_reminder_hours)
    item = ActionItem(
        ticket_id=ticket.id,
        what=what,
        owner_id=owner,
        team=ticket.team,
        due_at=due_at,
        status="open",
        created_by=by,
        created_at=now,
        remind_at=remind_at if remind_at > now else None,
        overdue_noted=False,
    )
    db.add(item)
    db.flush()
    after = {
        "item": item.id,
        "what": what,
        "owner": owner,
        "due_at": due_at.isoformat(),
        "notify": [owner] if owner != by else [],
    }
    return add_event(db, ticket, kind="action.created", by=by, now=now, after=after)


def item_of(db, item_id: int) -> ActionItem:
    item = db.get(ActionItem, item_id)
    if item is None:
        raise Invalid("That action item does not exist.")
    return item


def finish(
    db, playbook: Playbook, ticket: Ticket, item: ActionItem, *, by: str, status: str, now
) -> TimelineEvent | None:
    """Done or dropped: by its owner, the team, admins or the IC. None when already closed."""
    if by != item.owner_id:
        try:
            may_manage(db, playbook, ticket, by)
        except Forbidden:
            raise Forbidden(
                "Only the item's owner, the ticket's team or an admin can close it."
            ) from None
    if item.status != "open":
        return None
    item.status, item.closed_at, item.closed_by = status, now, by
    after = {"item": item.id, "what": item.what, "owner": item.owner_id}
    return add_event(db, ticket, kind=CLOSED[status], by=by, now=now, after=after)


def remind(db, ticket: Ticket, *, now: datetime, due: list[str]) -> list[TimelineEvent]:
    """The `action.reminder:<id>` and `action.overdue:<id>` timers."""
    events = []
    for item in open_items(db, ticket_ids=[ticket.id]):
        overdue = f"action.overdue:{item.id}" in due and item.due_at <= now
        before = f"action.reminder:{item.id}" in due and item.remind_at and item.remind_at <= now
        if overdue:
            item.overdue_noted, item.remind_at = True, None
        elif before:
            item.remind_at = None
        else:
            continue
        after = {
            "item": item.id,
            "what": item.what,
            "due_at": item.due_at.isoformat(),
            "overdue": bool(overdue),
            "notify": [item.owner_id],
        }
        events.append(add_event(db, ticket, kind="action.reminded", by=None, now=now, after=after))
    return events


def open_items(db, *, ticket_ids=None, owner=None, teams=None) -> list[ActionItem]:
    """Open items of these tickets, or of this owner or these teams, earliest due first."""
    stmt = select(ActionItem).where(ActionItem.status == "open")
    if ticket_ids is not None:
        stmt = stmt.where(ActionItem.ticket_id.in_(ticket_ids))
    if owner is not None or teams:
        stmt = stmt.where(or_(ActionItem.owner_id == owner, ActionItem.team.in_(teams or [])))
    return list(db.scalars(stmt.order_by(ActionItem.due_at, ActionItem.id)))


TIMERS = [  # open items: one reminder each, and their due date until noted overdue
    deadlines.timer_rows(
        ActionItem.ticket_id,
        literal(prefix) + cast(ActionItem.id, String),
        at,
        when,
        ActionItem.status == "open",
    )
    for prefix, at, when in (
        ("action.reminder:", ActionItem.remind_at, ActionItem.remind_at.is_not(None)),
        ("action.overdue:", ActionItem.due_at, ActionItem.overdue_noted.is_(False)),
    )
]
