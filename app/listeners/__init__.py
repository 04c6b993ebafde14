"""Slack in: the whole routing table on one screen, and the one error handler. Listeners
are module-level functions; each finds Relay's runtime in Bolt's `context["relay"]`."""

import structlog
from slack_bolt import App

from app.listeners import actions, approvals, commands, events, learning, shortcuts, views
from app.runtime import Relay
from blocks.ids import Action, Callback, Command, Shortcut
from blocks.new_ticket import FOLLOWED

log = structlog.get_logger()


def register_listeners(app: App, relay: Relay) -> None:
    @app.middleware
    def with_relay(context, next):
        context["relay"] = relay
        next()

    app.command(Command.ESC)(commands.handle_esc)

    app.action(Action.ACK)(actions.handle_ack)
    app.action(Action.ACCEPT_HANDOFF)(actions.handle_accept_handoff)
    app.action(Action.ASSIGN)(actions.handle_assign)
    for form in (Action.ESCALATE, Action.SEVERITY, Action.RESOLVE):
        app.action(form)(actions.handle_ticket_form_button)
    app.action(Action.OPEN)(actions.handle_open)
    for answer in (Action.CONFIRM_FIXED, Action.CONFIRM_NOT_FIXED):
        app.action(answer)(learning.handle_confirm_button)
    for close in (Action.ACTION_DONE, Action.ACTION_DROP):
        app.action(close)(learning.handle_action_button)
    app.action(Action.APPROVE)(approvals.handle_approve)
    app.action(Action.REJECT)(approvals.handle_reject)
    app.action(Action.UPDATE)(actions.handle_update)
    app.action(Action.SEND_CUSTOMER)(actions.handle_send_customer)

    app.shortcut(Shortcut.ESCALATE_MESSAGE)(shortcuts.handle_escalate_message)
    app.shortcut(Shortcut.NEW_ESCALATION)(shortcuts.handle_new_escalation)

    app.view(Callback.NEW_TICKET)(views.handle_new_ticket)
    for field in FOLLOWED:
        app.action({"action_id": field, "type": "block_actions"})(views.handle_new_ticket_input)
    app.view(Callback.ESCALATE)(views.handle_escalate)
    app.view(Callback.RESOLVE)(views.handle_resolve)
    app.view(Callback.SEVERITY)(views.handle_severity)
    app.view(Callback.CONFIRM)(learning.handle_confirm)
    app.view(Callback.ACTION_ITEM)(learning.handle_action_item)
    app.view(Callback.REJECT_APPROVAL)(approvals.handle_reject_submit)
    app.view(Callback.UPDATE)(views.handle_update)

    app.event("app_home_opened")(events.handle_app_home_opened)
    app.event("reaction_added")(events.handle_reaction_added)
    app.event("pin_added")(events.handle_pin_added)

    @app.error
    def handle_error(error):
        # Listeners answer their own errors (answering.py); this only catches the rest.
        log.error("request.unhandled", error=type(error).__name__)
