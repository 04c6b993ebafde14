"""Every text surface, called directly with any text (hypothesis): `/esc ...`, the new-ticket
form, the escalate, resolve and severity forms, card buttons and selects, the message
shortcut. Whatever is typed, ack is called exactly once and first, the person gets a clear
answer or inline errors (never the apology for an unexpected error, never a traceback),
what Relay renders is valid Block Kit that pings nobody, and the database holds either a
whole ticket (timeline, deadlines, card in the outbox) or nothing for a submission."""

import itertools
import json
import re

import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.listeners.actions import (
    handle_accept_handoff,
    handle_ack,
    handle_assign,
    handle_open,
    handle_ticket_form_button,
)
from app.listeners.answering import SORRY
from app.listeners.commands import SUBCOMMANDS
from app.listeners.shortcuts import handle_escalate_message
from app.listeners.views import (
    handle_escalate,
    handle_new_ticket,
    handle_new_ticket_input,
    handle_resolve,
    handle_severity,
)
from app.models import Deadline, OutboxMessage, OutboxStatus, Ticket, TimelineEvent
from app.playbook import load_playbook
from blocks.ids import Action, Callback, Field
from blocks.new_ticket import new_ticket_modal
from tests.conftest import PLAYBOOK
from tests.listeners.conftest import SUPPORT, Fakes, context, esc, snapshot
from tests.user_text import (
    BROADCAST,
    TRACEBACK,
    block_ids,
    check_blocks,
    check_view,
    examples,
    short_text,
    user_text,
    word,
)

QUEUE = "C0PAYQUEUE"
TICKET = "@KEY@"  # stands for the test's own ticket in generated text
COMMANDS = examples(15)  # for each subcommand
FORMS = examples(30)
NEW_TICKETS = examples(50)
CLICKS = examples(25)
_ids = itertools.count(1)
PEOPLE = {person.slack_id for person in load_playbook(PLAYBOOK).people.values()}


def fresh_id(prefix: str) -> str:
    return f"{prefix}{next(_ids):08d}PROP"


def answered_clearly(fakes: Fakes, typed: str = "") -> None:
    """Acked once and first; told something clear; what was opened or shown is valid. The
    answer mentions nobody but people of the playbook and whoever the person mentioned."""
    assert fakes.acked_first_and_once(), fakes.names()
    told = fakes.told()
    assert SORRY not in told
    assert not any(marker in told for marker in TRACEBACK)
    assert not BROADCAST.search(told)
    for user in re.findall(r"<@([^>|]*)", told):
        assert user in PEOPLE or f"<@{user}" in typed, told
    for answer in fakes.of("respond"):
        assert answer.get("response_type") == "ephemeral"
        assert answer["text"] and len(answer["text"]) <= 40000
        if "blocks" in answer:
            check_blocks(answer["blocks"])
    for opened in fakes.of("views_open"):
        check_view(opened["view"])


def ticket_count(relay) -> int:
    with relay.sessions() as db:
        return db.scalar(select(func.count()).select_from(Ticket))


def changed_only_when_told(relay, key: str, before: tuple, fakes: Fakes) -> None:
    """A ticket changes only when the person is told it did (never half a change)."""
    if snapshot(relay, key) != before:
        event("the ticket changed")
        told = fakes.told()
        assert told.startswith(("You ", f"*{key}*")), told


# --- /esc ---------------------------------------------------------------------------------

NAMES = [s.name for s in SUBCOMMANDS] + ["SHOW", "Resolve", "frobnicate", ""]
KEYS = st.one_of(
    st.sampled_from(
        [TICKET, TICKET.lower(), "ESC-0", "esc-99999999999999999999", "ESC-\u0663", "ESC-1x"]
    ),
    word,
)
ARGS = st.one_of(
    st.sampled_from(
        [
            "1",
            "2",
            "3",
            "4",
            "sev2",
            "SEV4",
            "5",
            "0",
            "<@U0RAFHUG4A7>",
            "<@U0N2K4AFA4F|wei>",
            "<@UNOBODY00>",
            "<!channel>",
            "mine",
            "team",
            "",
        ]
    ),
    word,
)
# After the subcommand: a key, an argument, the rest (or, without a subcommand, anything).
after_name = st.builds(
    lambda key, arg, rest: f"{key} {arg} {rest}",
    KEYS,
    ARGS,
    st.one_of(st.just(""), short_text, user_text),
)


@pytest.mark.parametrize("name", [*NAMES, None])
@COMMANDS
@given(st.data(), st.sampled_from(["agent", "manager", "outsider"]))
def test_esc_with_any_text_gets_a_clear_answer(relay, people, ticket_key, name, data, who):
    text = data.draw(user_text if name is None else after_name.map(f"{name} ".__add__))
    text = text.replace(TICKET, ticket_key).replace(TICKET.lower(), ticket_key.lower())
    fakes, tickets_before = Fakes(), ticket_count(relay)
    before = snapshot(relay, ticket_key)
    esc(fakes, relay, getattr(people, who), text)
    event(f"answered with {fakes.names()[1:]}")
    answered_clearly(fakes, text)
    assert fakes.of("respond") or fakes.of("views_open"), fakes.names()
    assert ticket_count(relay) == tickets_before, "/esc opens forms; it never stores a ticket"
    changed_only_when_told(relay, ticket_key, before, fakes)


# --- the new-ticket form ------------------------------------------------------------------


def text_value(value: str | None) -> dict:
    return {"type": "plain_text_input", "value": value}


def choice(value: str | None) -> dict:
    return {"type": "static_select", "selected_option": {"value": value} if value else None}


TYPED = st.sampled_from(["Checkout down", "502 at pay", "Refund export fails", "No one can pay"])
typed_text = st.one_of(TYPED, st.builds(str.__add__, TYPED, user_text), user_text)
form_text = st.one_of(typed_text, st.none())
new_ticket_values = st.fixed_dictionaries(
    {
        Field.TITLE: typed_text,
        Field.DESCRIPTION: typed_text,
        Field.IMPACT: st.one_of(typed_text, typed_text, st.none()),
        Field.BUSINESS_RATIONALE: form_text,
        Field.OVERRIDE_REASON: form_text,
        # Selects send one of the options the form offered, or one a playbook reload retired.
        Field.TEAM: st.sampled_from(["payments", "identity", "platform", "payments", None, "old"]),
        Field.CUSTOMER: st.sampled_from([None, "acme-bank", "initech", "gone-customer"]),
        Field.ESCALATION_TYPE: st.sampled_from(["technical", "billing", "security", None]),
        Field.SEVERITY: st.sampled_from([None, None, None, "1", "2", "3", "4"]),
    }
)
shown = st.sampled_from([None, None, None, None, 1, 2, 3, 4])
SELECTS = (Field.TEAM, Field.CUSTOMER, Field.ESCALATION_TYPE, Field.SEVERITY)


def state_values(values: dict) -> dict:
    """view.state.values as Slack sends them for these typed values and choices."""
    return {
        field: {field: choice(value) if field in SELECTS else text_value(value)}
        for field, value in values.items()
    }


def whole_ticket(relay, view_id: str) -> int:
    """0 when nothing was stored for this submission, 1 for a whole ticket."""
    with relay.sessions() as db:
        found = list(db.scalars(select(Ticket).where(Ticket.intake_id == view_id)))
        if not found:
            return 0
        [ticket] = found
        kinds = db.scalars(select(TimelineEvent.kind).where(TimelineEvent.ticket_id == ticket.id))
        timers = db.scalars(
            select(Deadline.kind).where(
                Deadline.subject == "ticket", Deadline.subject_id == ticket.id
            )
        )
        effects = db.execute(
            select(OutboxMessage.kind, OutboxMessage.status).where(
                OutboxMessage.subject == "ticket", OutboxMessage.subject_id == ticket.id
            )
        )
        assert "opened" in list(kinds)
        assert list(timers), "a new ticket has its deadlines"
        effects = dict(effects.all())
        assert "card" in effects, "a new ticket has its card in the outbox"
        assert effects["card"] == OutboxStatus.SENT, "Slack (the simulator) took the card"
        assert ticket.title and len(ticket.title) <= 150 and ticket.description and ticket.impact
        return 1


@NEW_TICKETS
@given(new_ticket_values, shown)
def test_the_new_ticket_form_with_any_text_stores_a_whole_ticket_or_nothing(
    relay, playbook, people, values, shown
):
    fakes, view_id = Fakes(), fresh_id("V")
    form = new_ticket_modal(playbook, metadata={"origin_channel": SUPPORT})
    view = {
        "id": view_id,
        "hash": "h1",
        "type": "modal",
        "callback_id": Callback.NEW_TICKET,
        "private_metadata": json.dumps({"origin_channel": SUPPORT, "shown": shown}),
        "state": {"values": state_values(values)},
    }
    body = {"type": "view_submission", "user": {"id": people.agent}, "view": view}
    handle_new_ticket(
        ack=fakes.ack, body=body, view=view, client=fakes.client, context=context(relay)
    )
    assert fakes.names() == ["ack"], fakes.names()
    [answer] = fakes.of("ack")
    stored = whole_ticket(relay, view_id)
    event(f"ack {sorted(answer) or 'plain'}, stored {stored}")
    if answer == {}:
        assert stored == 1
        return
    assert stored == 0
    if answer["response_action"] == "errors":
        assert answer["errors"] and set(answer["errors"]) <= block_ids(form)
        assert all(0 < len(message) <= 300 for message in answer["errors"].values())
    else:
        assert answer["response_action"] == "update"
        check_view(answer["view"])


# --- the ticket forms ---------------------------------------------------------------------

FORM_KEYS = st.sampled_from([TICKET, TICKET.lower(), "ESC-0", "ESC-99999999", "ESC-\u0663"])
TICKET_FORMS = {
    "escalate": (handle_escalate, Callback.ESCALATE),
    "resolve": (handle_resolve, Callback.RESOLVE),
    "severity": (handle_severity, Callback.SEVERITY),
}


@pytest.mark.parametrize("which", sorted(TICKET_FORMS))
@FORMS
@given(
    form_text,
    form_text,
    st.sampled_from(["1", "2", "3", "4"]),
    FORM_KEYS,
    st.sampled_from(["json", "json-stale", "plain"]),
    st.sampled_from(["agent", "manager", "outsider"]),
)
def test_ticket_forms_with_any_text_answer_clearly_and_change_all_or_nothing(
    relay, people, ticket_key, which, text, reason, severity, key, meta, who
):
    listener, callback = TICKET_FORMS[which]
    key = key.replace(TICKET, ticket_key).replace(TICKET.lower(), ticket_key.lower())
    saw = {"key": key, "tier": "L1", "severity": 3}
    if meta == "json-stale":
        saw = {"key": key, "tier": "L3", "severity": 1}
    view = {
        "id": fresh_id("V"),
        "type": "modal",
        "callback_id": callback,
        "private_metadata": key if meta == "plain" else json.dumps(saw),
        "state": {
            "values": {
                Field.HANDOFF_NOTE: {Field.HANDOFF_NOTE: text_value(text)},
                Field.SUMMARY: {Field.SUMMARY: text_value(text)},
                Field.NEW_SEVERITY: {Field.NEW_SEVERITY: choice(severity)},
                Field.REASON: {Field.REASON: text_value(reason)},
            }
        },
    }
    fakes, before = Fakes(), snapshot(relay, ticket_key)
    body = {"type": "view_submission", "user": {"id": getattr(people, who)}, "view": view}
    listener(ack=fakes.ack, body=body, view=view, client=fakes.client, context=context(relay))
    answered_clearly(fakes)
    [answer] = fakes.of("ack")
    event(f"{which}: {'inline errors' if answer else 'acked plainly'}")
    if answer:
        assert answer["response_action"] == "errors"
        assert answer["errors"] and set(answer["errors"]) <= {
            Field.HANDOFF_NOTE,
            Field.SUMMARY,
            Field.NEW_SEVERITY,
            Field.REASON,
        }
        assert snapshot(relay, ticket_key) == before
    else:
        assert fakes.told(), "a submitted form is answered"
    changed_only_when_told(relay, ticket_key, before, fakes)


# --- buttons and selects ------------------------------------------------------------------

BUTTONS = {
    "ack": (handle_ack, Action.ACK),
    "accept": (handle_accept_handoff, Action.ACCEPT_HANDOFF),
    "escalate": (handle_ticket_form_button, Action.ESCALATE),
    "severity": (handle_ticket_form_button, Action.SEVERITY),
    "resolve": (handle_ticket_form_button, Action.RESOLVE),
    "open": (handle_open, Action.OPEN),
    "assign": (handle_assign, Action.ASSIGN),
}


@CLICKS
@given(
    st.sampled_from(sorted(BUTTONS)),
    FORM_KEYS,
    st.sampled_from(["U0RAFHUG4A7", "U0N2K4AFA4F", "U0NOBODY00", "W0ABC"]),
    st.sampled_from(["agent", "manager", "outsider"]),
    st.booleans(),
)
def test_buttons_and_selects_answer_clearly(relay, people, ticket_key, which, key, to, who, url):
    listener, action_id = BUTTONS[which]
    key = key.replace(TICKET, ticket_key).replace(TICKET.lower(), ticket_key.lower())
    action = {"type": "button", "action_id": action_id, "value": key, "block_id": f"card:{key}"}
    if which == "assign":
        action = {
            "type": "users_select",
            "action_id": action_id,
            "selected_user": to,
            "block_id": f"card:{key}",
        }
    body = {
        "type": "block_actions",
        "user": {"id": getattr(people, who)},
        "trigger_id": "1337.42.abcd",
        "channel": {"id": QUEUE},
        "actions": [action],
    }
    if url:
        body["response_url"] = "https://hooks.slack.test/actions/1"
    fakes, before = Fakes(), snapshot(relay, ticket_key)
    extra = {} if which == "open" else {"respond": fakes.respond}
    listener(
        ack=fakes.ack,
        body=body,
        action=action,
        client=fakes.client,
        context=context(relay),
        **extra,
    )
    answered_clearly(fakes, typed=f"<@{to}>" if which == "assign" else "")  # the one picked
    assert fakes.told() or fakes.of("views_open"), fakes.names()
    changed_only_when_told(relay, ticket_key, before, fakes)


# --- the message shortcut -----------------------------------------------------------------


@FORMS
@given(st.one_of(user_text, st.just(""), st.none()), st.sampled_from([None, "U0HW88GQ274"]))
def test_the_message_shortcut_prefills_a_valid_form_from_any_message(relay, people, text, author):
    message = {"ts": "1700000000.000200", "type": "message"}
    if text is not None:
        message["text"] = text
    if author:
        message["user"] = author
    shortcut = {
        "type": "message_action",
        "callback_id": "escalate_message",
        "trigger_id": "1337.42.abcd",
        "user": {"id": people.agent},
        "channel": {"id": SUPPORT},
        "message_ts": "1700000000.000200",
        "message": message,
        "response_url": "https://hooks.slack.test/shortcuts/1",
    }
    fakes, tickets_before = Fakes(), ticket_count(relay)
    handle_escalate_message(
        ack=fakes.ack,
        body=shortcut,
        shortcut=shortcut,
        respond=fakes.respond,
        client=fakes.client,
        context=context(relay),
    )
    answered_clearly(fakes)
    [opened] = fakes.of("views_open")
    inputs = {b["block_id"]: b["element"] for b in opened["view"]["blocks"] if b["type"] == "input"}
    assert len(inputs[Field.TITLE].get("initial_value", "")) <= 150
    assert ticket_count(relay) == tickets_before


# --- the new-ticket form following its inputs ----------------------------------------------


class FollowingFakes(Fakes):
    """Fakes whose client also takes views.update (the form refreshed as it is typed)."""

    def __init__(self) -> None:
        super().__init__()
        self.client.views_update = lambda **kwargs: self.calls.append(("views_update", kwargs))


@NEW_TICKETS
@given(new_ticket_values, shown)
def test_the_form_follows_any_typing_with_a_valid_form(relay, playbook, people, values, shown):
    fakes, tickets_before = FollowingFakes(), ticket_count(relay)
    view = {
        "id": fresh_id("V"),
        "hash": "h1",
        "type": "modal",
        "callback_id": Callback.NEW_TICKET,
        "private_metadata": json.dumps({"origin_channel": SUPPORT, "shown": shown}),
        "state": {"values": state_values(values)},
    }
    body = {"type": "block_actions", "user": {"id": people.agent}, "view": view}
    handle_new_ticket_input(ack=fakes.ack, body=body, client=fakes.client, context=context(relay))
    assert fakes.names() == ["ack", "views_update"], fakes.names()
    answered_clearly(fakes)
    [update] = fakes.of("views_update")
    assert update["view_id"] == view["id"] and update["hash"] == "h1"
    check_view(update["view"])
    assert ticket_count(relay) == tickets_before
