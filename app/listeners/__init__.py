"""Slack in: the whole routing table on one screen, and the one error handler. Listeners
are module-level functions; each finds Relay's runtime in Bolt's `context["relay"]`."""

import functools
import threading
from concurrent.futures import Executor

import structlog
from slack_bolt import App

from app.listeners import actions, approvals, commands, events, learning, shortcuts, views
from app.runtime import Relay
from blocks.ids import Action, Callback, Command, Shortcut
from blocks.new_ticket import FOLLOWED

log = structlog.get_logger()


FORM_BUTTONS = (Action.ESCALATE, Action.SEVERITY, Action.RESOLVE)
CONFIRM_BUTTONS = (Action.CONFIRM_FIXED, Action.CONFIRM_NOT_FIXED)
ACTION_BUTTONS = (Action.ACTION_DONE, Action.ACTION_DROP)
ACK_WAIT = 3.0  # seconds: Slack gives up on an answer after 3 s


def register_listeners(app: App, relay: Relay, executor: Executor) -> None:
    """The routing table; every listener runs on `executor` (see `offload`)."""

    @app.middleware
    def with_relay(context, next):
        context["relay"] = relay
        # Relay's client, whose connections stay open (app/effects/transport.py), rather
        # than the one Bolt makes for each request.
        context["client"] = relay.client
        next()

    routes = [
        (app.command(Command.ESC), commands.handle_esc),
        (app.action(Action.ACK), actions.handle_ack),
        (app.action(Action.ACCEPT_HANDOFF), actions.handle_accept_handoff),
        (app.action(Action.ASSIGN), actions.handle_assign),
        *[(app.action(form), actions.handle_ticket_form_button) for form in FORM_BUTTONS],
        (app.action(Action.OPEN), actions.handle_open),
        *[(app.action(answer), learning.handle_confirm_button) for answer in CONFIRM_BUTTONS],
        *[(app.action(close), learning.handle_action_button) for close in ACTION_BUTTONS],
        (app.action(Action.APPROVE), approvals.handle_approve),
        (app.action(Action.REJECT), approvals.handle_reject),
        (app.action(Action.UPDATE), actions.handle_update),
        (app.action(Action.SEND_CUSTOMER), actions.handle_send_customer),
        (app.shortcut(Shortcut.ESCALATE_MESSAGE), shortcuts.handle_escalate_message),
        (app.shortcut(Shortcut.NEW_ESCALATION), shortcuts.handle_new_escalation),
        (app.view(Callback.NEW_TICKET), views.handle_new_ticket),
        *[
            (
                app.action({"action_id": field, "type": "block_actions"}),
                views.handle_new_ticket_input,
            )
            for field in FOLLOWED
        ],
        (app.view(Callback.ESCALATE), views.handle_escalate),
        (app.view(Callback.RESOLVE), views.handle_resolve),
        (app.view(Callback.SEVERITY), views.handle_severity),
        (app.view(Callback.CONFIRM), learning.handle_confirm),
        (app.view(Callback.ACTION_ITEM), learning.handle_action_item),
        (app.view(Callback.REJECT_APPROVAL), approvals.handle_reject_submit),
        (app.view(Callback.UPDATE), views.handle_update),
        (app.event("app_home_opened"), events.handle_app_home_opened),
        (app.event("reaction_added"), events.handle_reaction_added),
        (app.event("pin_added"), events.handle_pin_added),
    ]
    for register, listener in routes:
        register(offload(listener, executor=executor))

    @app.error
    def handle_error(error):
        # Listeners answer their own errors (answering.py); this only catches the rest.
        log.error("request.unhandled", error=type(error).__name__)


def offload(listener, *, executor: Executor):
    """`listener` runs on `executor`; Bolt's request thread (the app processes before it
    responds) waits only until it acks, woken by the ack itself, then answers Slack, while
    the listener goes on with the work after its ack. An event listener takes no ack: the
    request is answered at once. Listeners answer their own errors (answering.py); what
    escapes is logged."""

    @functools.wraps(listener)  # Bolt reads the listener's arguments through this
    def run(**kwargs):
        acked = threading.Event()
        ack = kwargs.get("ack")
        if ack is not None:

            def ack_and_wake(*args, **options):
                try:
                    return ack(*args, **options)
                finally:
                    acked.set()

            kwargs["ack"] = ack_and_wake
        else:
            acked.set()
        executor.submit(_run, listener, kwargs, acked)
        acked.wait(ACK_WAIT)

    return run


def _run(listener, kwargs: dict, acked: threading.Event) -> None:
    try:
        listener(**kwargs)
    except Exception as error:  # noqa: BLE001 - the request thread must not wait in vain
        log.error("request.unhandled", error=type(error).__name__)
    finally:
        acked.set()
