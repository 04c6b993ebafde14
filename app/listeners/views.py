"""Modal submissions, and the new-ticket form following its inputs."""

import structlog
from slack_sdk.errors import SlackApiError

from app import changes, tickets
from app.errors import Invalid
from app.listeners.answering import answering, tell
from app.tickets import clean_text
from blocks import answers
from blocks.ids import Field
from blocks.new_ticket import new_ticket_metadata, new_ticket_modal, parse_new_ticket

log = structlog.get_logger()


def intake_from_view(body: dict, view: dict, *, drill: bool) -> tickets.Intake:
    values = parse_new_ticket(view["state"]["values"])
    meta = new_ticket_metadata(view)
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
        shown_severity=meta.get("shown"),
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


def _ticket_form(required: Field | None, run):
    """A ticket modal: inline error when `required` is empty, else run and tell."""

    def handle(ack, body, view, client, context):
        text = clean_text(_value(view, required)) if required else ""
        if required and not text:
            ack(response_action="errors", errors={required: "Please fill this in."})
            return
        ack()
        with answering(body, None, client):
            user, key = body["user"]["id"], view["private_metadata"]
            tell(body, None, client, run(context["relay"], key, user, view, text))

    return handle


def _escalate(relay, key, user, view, note) -> str:
    return answers.escalated(changes.escalate(relay, key, by=user, note=note).ticket)


def _resolve(relay, key, user, view, summary) -> str:
    return answers.resolved(changes.resolve(relay, key, by=user, summary=summary).ticket)


def _change_severity(relay, key, user, view, _) -> str:
    severity = int(_value(view, Field.NEW_SEVERITY))
    reason = clean_text(_value(view, Field.REASON))
    c = changes.change_severity(relay, key, by=user, severity=severity, reason=reason)
    return answers.severity_changed(c.ticket, c.events)


handle_escalate = _ticket_form(Field.HANDOFF_NOTE, _escalate)
handle_resolve = _ticket_form(Field.SUMMARY, _resolve)
handle_severity = _ticket_form(None, _change_severity)


def refreshed_form(playbook, view: dict, intake: tickets.Intake, suggestion) -> dict:
    """The new-ticket form as it stands, with the hint for `suggestion`."""
    metadata = {k: v for k, v in new_ticket_metadata(view).items() if k != "shown"}
    return new_ticket_modal(
        playbook,
        metadata=metadata,
        title=intake.title,
        description=intake.description,
        suggestion=suggestion,
    )


def handle_new_ticket_input(ack, body, client, context):
    """Title, description, impact or team changed: the hint shows the severity it gives."""
    ack()
    relay, view = context["relay"], body["view"]
    with answering(body, None, client):
        intake = tickets.clean_intake(intake_from_view(body, view, drill=relay.drill))
        form = refreshed_form(relay.playbook, view, intake, tickets.suggest(relay.playbook, intake))
        try:
            client.views_update(view_id=view["id"], hash=view["hash"], view=form)
        except SlackApiError as exc:  # a later keystroke updated the form first
            if exc.response.get("error") != "hash_conflict":
                raise
            log.info("intake.hint_superseded")


def handle_new_ticket(ack, body, view, client, context):
    relay = context["relay"]
    intake = intake_from_view(body, view, drill=relay.drill)
    try:
        tickets.check_intake(relay.playbook, intake)
    except tickets.SuggestionChanged as exc:
        form = refreshed_form(relay.playbook, view, intake, exc.suggestion)
        ack(response_action="update", view=form)
        return
    except Invalid as exc:
        ack(response_action="errors", errors=exc.fields)
        return
    ack()
    with answering(body, None, client):
        intake.source_permalink = permalink(client, intake.source_channel, intake.source_ts)
        changes.open_ticket(relay, intake)
