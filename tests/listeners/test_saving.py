"""A new-ticket form is saved before Slack hears back, and a form that cannot be saved
stays open (listener called directly, with a fake ack)."""

from slack_sdk import WebClient
from sqlalchemy import func, select

from app import db as relay_db
from app.listeners.views import NOT_SAVED, handle_new_ticket
from app.models import Ticket
from app.runtime import Relay
from blocks.ids import Field
from tests.conftest import NOW

TYPED = {
    Field.TITLE: "Checkout down for everyone",
    Field.DESCRIPTION: "502 at pay",
    Field.IMPACT: "No one can pay",
    Field.TEAM: "payments",
    Field.ESCALATION_TYPE: "technical",
}


def submission(view_id: str, user: str) -> tuple[dict, dict]:
    values = {}
    for field, value in TYPED.items():
        if field in (Field.TEAM, Field.ESCALATION_TYPE):
            values[field] = {field: {"type": "static_select", "selected_option": {"value": value}}}
        else:
            values[field] = {field: {"type": "plain_text_input", "value": value}}
    view = {"id": view_id, "state": {"values": values}, "private_metadata": "{}"}
    return {"user": {"id": user}, "view": view}, view


def count(sessions, view_id: str) -> int:
    with sessions() as db:
        return db.scalar(select(func.count()).where(Ticket.intake_id == view_id))


def relay_on(sessions, playbook) -> Relay:
    client = WebClient(token="xoxb-test", base_url="http://127.0.0.1:9/api/", retry_handlers=[])
    return Relay(playbook, sessions, client, now=lambda: NOW)


def test_the_ticket_is_committed_before_slack_is_answered(sessions, playbook):
    relay = relay_on(sessions, playbook)
    seen_at_ack = []

    def ack(**answer):
        seen_at_ack.append((count(sessions, "V0SAVEDFIRST"), answer))

    body, view = submission("V0SAVEDFIRST", playbook.people["amara.okafor"].slack_id)
    handle_new_ticket(ack, body, view, relay.client, {"relay": relay})
    assert seen_at_ack == [(1, {})], "acked once, with the ticket already visible to others"


def test_a_form_that_cannot_be_saved_stays_open_with_an_inline_error(tmp_path, playbook):
    engine = relay_db.make_engine(f"sqlite:///{tmp_path}/no-schema.db")  # never migrated
    relay = relay_on(relay_db.make_sessionmaker(engine), playbook)
    acks = []
    body, view = submission("V0NOTSAVED", playbook.people["amara.okafor"].slack_id)
    handle_new_ticket(lambda **a: acks.append(a), body, view, relay.client, {"relay": relay})
    assert acks == [{"response_action": "errors", "errors": {Field.TITLE: NOT_SAVED}}]
    engine.dispose()


def test_a_repeated_submission_is_acked_and_makes_nothing(sessions, playbook):
    relay = relay_on(sessions, playbook)
    body, view = submission("V0TWICE", playbook.people["amara.okafor"].slack_id)
    acks = []
    for _ in range(2):
        handle_new_ticket(lambda **a: acks.append(a), body, view, relay.client, {"relay": relay})
    assert acks == [{}, {}] and count(sessions, "V0TWICE") == 1
