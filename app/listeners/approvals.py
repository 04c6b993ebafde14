"""Approve / Reject in an approver's DM, and the rejection's reason modal."""

import json

from app import incident_changes, tickets
from app.errors import Invalid, RelayError
from app.incidents import approvals
from app.listeners.answering import answering, tell
from app.models import Approval
from blocks import approvals as views
from blocks.ids import Field


def _approval(action: dict) -> tuple[str, int]:
    try:
        return views.parse_value(action.get("value", ""))
    except ValueError:
        raise Invalid("That button names no approval.") from None


def handle_approve(ack, body, action, respond, client, context):
    ack()
    with answering(body, respond, client):
        key, approval_id = _approval(action)
        c = incident_changes.decide_approval(
            context["relay"], key, approval_id=approval_id, approve=True, by=body["user"]["id"]
        )
        tell(body, respond, client, views.decided(c.ticket, c.events))


def handle_reject(ack, body, action, respond, client, context):
    """Who is asking is checked before the reason modal opens (views.open comes last)."""
    ack()
    relay, user = context["relay"], body["user"]["id"]
    with answering(body, respond, client):
        key, approval_id = _approval(action)
        with relay.sessions() as db:
            ticket = tickets.get_ticket(db, key)
            approval = db.get(Approval, approval_id)
            if approval is None or approval.ticket_id != ticket.id:
                raise Invalid("That approval no longer exists.")
            approvals.require_may_decide(relay.playbook, approval, user)
            if approval.status != approvals.PENDING:
                raise Invalid(approvals.already(relay.playbook, ticket, approval))
        client.views_open(trigger_id=body["trigger_id"], view=views.reject_modal(key, approval_id))


def handle_reject_submit(ack, body, view, client, context):
    relay, user = context["relay"], body["user"]["id"]
    meta = json.loads(view["private_metadata"])
    value = view["state"]["values"].get(Field.REASON, {}).get(Field.REASON, {}).get("value")
    note = tickets.clean_text(value or "")
    if not note:
        ack(response_action="errors", errors={Field.REASON: "Say why it is rejected."})
        return
    ack()
    with answering(body, None, client):
        try:
            c = incident_changes.decide_approval(
                relay, meta["key"], approval_id=meta["approval"], approve=False, by=user, note=note
            )
        except RelayError as error:
            tell(body, None, client, str(error))
            return
        tell(body, None, client, views.decided(c.ticket, c.events))
