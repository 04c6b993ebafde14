"""The learning loop in Slack: `/esc mitigate`, `/esc review`, `/esc action`, `/esc actions`;
the reporter's Yes/No and rating form; action items' form, Done and Drop."""

import json
from datetime import UTC

from app import incidents, learning_changes, reviews, tickets
from app.errors import RelayError
from app.listeners.answering import answering, tell
from app.listeners.requests import key_or_channel
from app.listeners.views import field_value
from app.models import Ticket
from app.tickets import clean_text
from blocks.action_items import action_list, action_modal
from blocks.ids import Action, Field
from blocks.learning import confirm_modal
from blocks.text import escape


def mitigate(req) -> dict:
    key, _ = key_or_channel(req)
    c = learning_changes.mitigate(req.relay, key, by=req.user)
    if not c.events:
        return {"text": f"*{key}* was already marked mitigated."}
    return {"text": f"*{key}* is marked mitigated; the resolution clock keeps running."}


def review(req) -> dict:
    key, _ = key_or_channel(req)
    c = learning_changes.draft_review(req.relay, key, by=req.user)
    with req.relay.sessions() as db:
        room = incidents.channel_of(db, c.ticket)
    if room is not None and room.archived_at is None and room.slack_id:
        where = f"<#{room.slack_id}>"
    else:
        where = "the team's queue channel"
    return {"text": f"*{key}*: the review is being drafted as a canvas in {where}."}


def action(req) -> None:
    """`/esc action [KEY] [what]`: the form, once we know they may add one."""
    key, args = key_or_channel(req)
    relay = req.relay
    with relay.sessions() as db:
        ticket = tickets.get_ticket(db, key)
        reviews.actions.may_manage(db, relay.playbook, ticket, req.user)
    req.client.views_open(
        trigger_id=req.command["trigger_id"], view=action_modal(key, what=" ".join(args))
    )


def list_actions(req) -> dict:
    """Open action items I own and my teams' items."""
    with req.relay.sessions() as db:
        mine, blocks = action_blocks(db, req.relay.playbook, req.user)
    return {"text": f"{mine} open action items of yours", "blocks": blocks}


def action_blocks(db, playbook, user: str) -> tuple[int, list[dict]]:
    """How many open items `user` owns, and the lists: theirs, then their teams' others
    (for `/esc actions` and App Home)."""
    teams = [k for k in playbook.teams if user in playbook.team_member_ids(k)]
    items = reviews.actions.open_items(db, owner=user, teams=teams)
    keys = _keys(db, items)
    zone = playbook.teams[teams[0]].calendar.zone if teams else UTC
    mine = [i for i in items if i.owner_id == user]
    blocks = action_list("Your action items", mine, keys, zone)
    if teams:
        others = [i for i in items if i.owner_id != user]
        blocks += action_list("Your teams' other action items", others, keys, zone)
    return len(mine), blocks


def _keys(db, items) -> dict[int, str]:
    ids = {i.ticket_id for i in items}
    return {t.id: t.key for t in db.query(Ticket).filter(Ticket.id.in_(ids))} if ids else {}


def handle_confirm_button(ack, body, action, respond, client, context):
    """Yes or No in the reporter's DM opens the rating form (after checking who asks)."""
    ack()
    relay, user = context["relay"], body["user"]["id"]
    with answering(body, None, client):
        fixed = action["action_id"] == Action.CONFIRM_FIXED
        with relay.sessions() as db:
            ticket = tickets.get_ticket(db, action["value"])
            asked = reviews.confirmation.pending(db, ticket)
            reviews.confirmation.check_may_answer(ticket, asked, by=user)
            view = confirm_modal(ticket, relay.playbook, fixed=fixed)
        client.views_open(trigger_id=body["trigger_id"], view=view)


def handle_confirm(ack, body, view, client, context):
    relay, user = context["relay"], body["user"]["id"]
    meta = json.loads(view["private_metadata"])
    rating, comment = field_value(view, Field.RATING), field_value(view, Field.COMMENT)
    try:
        c = learning_changes.answer_confirmation(
            relay, meta["key"], by=user, fixed=meta["fixed"], rating=rating, comment=comment
        )
    except RelayError as exc:
        ack(response_action="errors", errors=exc.fields or {Field.RATING: str(exc)})
        return
    ack()
    if meta["fixed"]:
        said = f"Thank you! {c.ticket.key} is closed."
    elif c.ticket.status.value == "closed":
        said = (
            f"Thank you. {c.ticket.key} can no longer be reopened; please open a new one "
            "with `/esc new`."
        )
    else:
        said = f"Thank you. {c.ticket.key} is reopened and back with its owner."
    with answering(body, None, client):
        tell(body, None, client, said)


def handle_action_item(ack, body, view, client, context):
    relay, user = context["relay"], body["user"]["id"]
    key = json.loads(view["private_metadata"])["key"]
    try:
        c = learning_changes.create_action(
            relay,
            key,
            by=user,
            what=clean_text(field_value(view, Field.WHAT)),
            owner=field_value(view, Field.OWNER),
            due_on=field_value(view, Field.DUE_ON),
        )
    except RelayError as exc:
        ack(response_action="errors", errors=exc.fields or {Field.WHAT: str(exc)})
        return
    ack()
    a = c.events[-1].after
    with answering(body, None, client):
        tell(body, None, client, f"Action item added to {key} for <@{a['owner']}>.")


def handle_action_button(ack, body, action, respond, client, context):
    """Done or Drop on an action item."""
    ack()
    status = "done" if action["action_id"] == Action.ACTION_DONE else "dropped"
    with answering(body, respond, client):
        c = learning_changes.finish_action(
            context["relay"], int(action["value"]), by=body["user"]["id"], status=status
        )
        what = escape((c.events[-1].after or {}).get("what", "")) if c.events else ""
        said = f"Marked {status}: {what}" if c.events else "That item was already closed."
        tell(body, respond, client, said)
