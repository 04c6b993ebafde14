"""Modal submissions."""

import json

import structlog
from slack_bolt import App
from slack_sdk.errors import SlackApiError

from app import notify, tickets
from app.context import Relay
from app.errors import Invalid
from app.listeners import operations
from app.listeners.answering import answering, tell
from app.tickets import clean_text
from blocks.ids import Callback, Field
from blocks.new_ticket import parse_new_ticket

log = structlog.get_logger()


def intake_from_view(body: dict, view: dict, *, drill: bool) -> tickets.Intake:
    values = parse_new_ticket(view["state"]["values"])
    meta = json.loads(view.get("private_metadata") or "{}")
    severity = values[Field.SEVERITY]
    return tickets.Intake(
        reporter_id=body["user"]["id"],
        title=values[Field.TITLE] or "",
        description=values[Field.DESCRIPTION] or "",
        impact=values[Field.IMPACT] or "",
        business_rationale=values[Field.BUSINESS_RATIONALE] or "",
        team=values[Field.TEAM],
        customer=values[Field.CUSTOMER],
        escalation_type=values[Field.ESCALATION_TYPE],
        severity=int(severity) if severity and severity.isdigit() else None,
        override_reason=values[Field.OVERRIDE_REASON] or "",
        intake_id=view["id"],
        origin_channel=meta.get("origin_channel"),
        source_channel=meta.get("source_channel"),
        source_ts=meta.get("source_ts"),
        source_author_id=meta.get("source_author_id"),
        is_drill=drill,
    )


def permalink(client, channel: str | None, ts: str | None) -> str | None:
    if not (channel and ts):
        return None
    try:
        return client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
    except SlackApiError as exc:
        log.warning("intake.permalink_failed", error=exc.response.get("error"))
        return None


def _value(view: dict, field: Field) -> str:
    element = view["state"]["values"].get(field, {}).get(field, {})
    if "selected_option" in element:
        return (element["selected_option"] or {}).get("value") or ""
    return element.get("value") or ""


def register(app: App, relay: Relay) -> None:
    def ticket_form(callback: Callback, required: Field | None, run):
        """A ticket modal: inline error when `required` is empty, else run and tell."""

        @app.view(callback)
        def handle_ticket_form(ack, body, view, client):
            text = clean_text(_value(view, required)) if required else ""
            if required and not text:
                ack(response_action="errors", errors={required: "Please fill this in."})
                return
            ack()
            with answering(body, None, client):
                user, key = body["user"]["id"], view["private_metadata"]
                tell(body, None, client, run(key, user, view, text))

    ticket_form(
        Callback.ESCALATE,
        Field.HANDOFF_NOTE,
        lambda key, user, view, note: operations.escalate(relay, key, user, note),
    )
    ticket_form(
        Callback.RESOLVE,
        Field.SUMMARY,
        lambda key, user, view, summary: operations.resolve(relay, key, user, summary),
    )
    ticket_form(
        Callback.SEVERITY,
        None,
        lambda key, user, view, _: operations.change_severity(
            relay,
            key,
            user,
            int(_value(view, Field.NEW_SEVERITY)),
            clean_text(_value(view, Field.REASON)),
        ),
    )

    @app.view(Callback.NEW_TICKET)
    def handle_new_ticket(ack, body, view, client):
        intake = intake_from_view(body, view, drill=relay.drill)
        try:
            tickets.check_intake(relay.playbook, intake)
        except Invalid as exc:
            ack(response_action="errors", errors=exc.fields)
            return
        ack()
        with answering(body, None, client):
            open_checked(relay, client, intake)


def open_checked(relay: Relay, client, intake: tickets.Intake) -> None:
    """Store the ticket with its card and confirmation in one transaction, then deliver."""
    intake.source_permalink = permalink(client, intake.source_channel, intake.source_ts)
    with relay.sessions() as db, db.begin():
        now = relay.now()
        ticket, created = tickets.open_ticket(db, relay.playbook, intake, now=now)
        if not created:
            log.info("intake.duplicate_submission", key=ticket.key)
            return
        opened = tickets.timeline(db, ticket)[0]
        notify.events_happened(db, relay.playbook, ticket, [opened], now=now)
        notify.confirm_opened(db, relay.playbook, ticket, now=now)
        ticket_id = ticket.id
    relay.deliver(ticket_id)
