"""Modal submissions, and the new-ticket form following its inputs."""

import json

import structlog
from slack_sdk.errors import SlackApiError

from app import changes, incident_changes, reviews, tickets
from app.comms.updates import Draft
from app.errors import Invalid, RelayError
from app.listeners.answering import answering, tell
from app.tickets import clean_text
from blocks import answers
from blocks.comms import update_values
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


def field_value(view: dict, field: Field) -> str:
    """What a modal's input holds: text, a chosen option's value, a person or a date."""
    element = view["state"]["values"].get(field, {}).get(field, {})
    if "selected_option" in element:
        return (element["selected_option"] or {}).get("value") or ""
    for picked in ("selected_user", "selected_date"):
        if picked in element:
            return element[picked] or ""
    return element.get("value") or ""


def _ticket_form(required: Field | None, run, check=None):
    """A ticket modal: inline errors when `required` is empty or `check(relay, key, user,
    view)` returns some, else run and tell."""

    def handle(ack, body, view, client, context):
        relay, user, seen = context["relay"], body["user"]["id"], form_saw(view)
        key = seen.pop("key")
        text = clean_text(field_value(view, required)) if required else ""
        errors = {required: "Please fill this in."} if required and not text else {}
        errors = errors or (check(relay, key, user, view) if check else {})
        if errors:
            ack(response_action="errors", errors=errors)
            return
        ack()
        with answering(body, None, client):
            tell(body, None, client, run(relay, key, user, view, text, seen))

    return handle


def form_saw(view: dict) -> dict:
    """The ticket key, and the state the person saw when the form opened."""
    try:
        return dict(json.loads(view["private_metadata"]))
    except (ValueError, TypeError):  # a form opened before forms carried what they saw
        return {"key": view["private_metadata"]}


def _escalate(relay, key, user, view, note, seen) -> str:
    c = changes.escalate(relay, key, by=user, note=note, seen={"tier": seen.get("tier")})
    return answers.escalated(c.ticket)


def _resolve(relay, key, user, view, summary, seen) -> str:
    cause = field_value(view, Field.ROOT_CAUSE) or None
    c = changes.resolve(relay, key, by=user, summary=summary, root_cause=cause)
    return answers.resolved(c.ticket)


def _resolve_errors(relay, key, user, view) -> dict:
    """A Sev1/Sev2 needs a root-cause category of the playbook, inline."""
    with relay.sessions() as db:
        try:
            ticket = tickets.get_ticket(db, key)
            reviews.resolution.check_root_cause(
                relay.playbook, ticket, field_value(view, Field.ROOT_CAUSE) or None
            )
        except RelayError as exc:
            return exc.fields
    return {}


def _severity_choice(view: dict) -> tuple[int, str]:
    return int(field_value(view, Field.NEW_SEVERITY)), clean_text(field_value(view, Field.REASON))


def _severity_errors(relay, key, user, view) -> dict:
    """Before the modal closes: lowering needs a reason, a Sev1/Sev2 an approver or admin.
    Refusals that belong to no field are answered after the change is tried."""
    severity, reason = _severity_choice(view)
    with relay.sessions() as db:
        try:
            ticket = tickets.get_ticket(db, key)
            tickets.check_severity_change(
                relay.playbook, ticket, severity=severity, by=user, reason=reason
            )
        except RelayError as exc:
            return exc.fields
    return {}


def _change_severity(relay, key, user, view, _, seen) -> str:
    severity, reason = _severity_choice(view)
    seen = {"severity": seen.get("severity")}
    c = changes.change_severity(relay, key, by=user, severity=severity, reason=reason, seen=seen)
    return answers.severity_changed(c.ticket, c.events)


def _draft(view: dict) -> Draft:
    v = update_values(view["state"]["values"])
    return Draft(
        status=clean_text(v[Field.UPDATE_STATUS], single_line=True),
        impact=clean_text(v[Field.IMPACT]),
        current_state=clean_text(v[Field.CURRENT_STATE]),
        actions=clean_text(v[Field.ACTIONS]),
        decision=clean_text(v[Field.DECISION]),
        next_update_at=v[Field.NEXT_UPDATE],
        customer=v[Field.CUSTOMER_UPDATE],
        customer_text=clean_text(v[Field.CUSTOMER_TEXT]),
    )


def _update_errors(relay, key, user, view) -> dict:
    draft = _draft(view)
    if draft.next_update_at is not None and draft.next_update_at <= relay.now():
        return {Field.NEXT_UPDATE: "Pick a time in the future."}
    return {}


def _post_update(relay, key, user, view, _, seen) -> str:
    c = incident_changes.post_update(relay, key, by=user, draft=_draft(view))
    return answers.update_posted(c.ticket, c.events)


handle_escalate = _ticket_form(Field.HANDOFF_NOTE, _escalate)
handle_update = _ticket_form(Field.CURRENT_STATE, _post_update, _update_errors)
handle_resolve = _ticket_form(Field.SUMMARY, _resolve, _resolve_errors)
handle_severity = _ticket_form(None, _change_severity, _severity_errors)


NOT_SAVED = "Relay could not save this just now; nothing is lost here. Please submit again."


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
    """The ticket is saved before Slack hears back: an acknowledged form is a saved ticket,
    and a form that could not be saved stays open with what was typed."""
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
    try:
        changes.open_ticket(relay, intake, acknowledge=ack)
    except Exception as error:  # noqa: BLE001 - the person keeps their form and is told
        log.exception("intake.not_saved", error=type(error).__name__)
        ack(response_action="errors", errors={Field.TITLE: NOT_SAVED})
