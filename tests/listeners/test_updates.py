"""A situation update through the listeners, delivered to the simulator: `/esc update` in
the war room opens the form; posting it reaches the war room, the executives (one DM each)
and, after the comms lead's preview and Send, the customer channel; what the redactor
flags never leaves."""

from datetime import timedelta

from sqlalchemy import select

from app import changes
from app.listeners.actions import handle_send_customer
from app.listeners.views import handle_update
from app.models import Channel, SituationUpdate, Ticket, TimelineEvent
from blocks.ids import Action, Callback, Field
from tests.effects.test_incident_effects import approve_pending
from tests.listeners.conftest import context, esc, new_ticket, stored
from tests.listeners.test_views import submit, text_value
from tests.sla.test_escalation import MON_0900, uid

PHONE, TOKEN = "+44 20 7946 0958", "xoxb-123456789012-1234567890123-abcdefghijklmnopqrstuvwx"
ACME_CHANNEL = "C0SEA2S2ADG"


def acme_sev1(relay) -> tuple[str, str]:
    key = new_ticket(
        relay,
        severity=1,
        override_reason="drill",
        customer="acme-bank",
        title="Checkout down",
        impact="All Acme card payments fail",
    )
    approve_pending(relay, key)  # declared by an agent: the declaration waits for an approver
    with relay.sessions() as db:
        ticket = db.scalar(select(Ticket).where(Ticket.key == key))
        room = db.scalar(select(Channel.slack_id).where(Channel.ticket_id == ticket.id))
    return key, room


def values(current: str, *, customer: bool, due=None) -> dict:
    found = {
        Field.UPDATE_STATUS: text_value("Mitigating"),
        Field.IMPACT: text_value("Card payments fail for Acme Bank"),
        Field.CURRENT_STATE: text_value(current),
        Field.ACTIONS: text_value("Failing over to the second processor"),
        Field.DECISION: text_value("Approve a status page post"),
        Field.NEXT_UPDATE: {"type": "datetimepicker", "selected_date_time": due},
    }
    if customer:
        option = {"value": "yes"}
        found[Field.CUSTOMER_UPDATE] = {"type": "checkboxes", "selected_options": [option]}
        found[Field.CUSTOMER_TEXT] = text_value("")
    return found


def post_form(fakes, relay, user: str, meta: str, filled: dict) -> None:
    """`user` submits the update form with `filled`."""
    submit(handle_update, fakes, relay, user, Callback.UPDATE, filled, meta)


def click_send(fakes, relay, user: str, value: str) -> None:
    """`user` clicks Send on a customer update's preview."""
    body = {"user": {"id": user}, "trigger_id": "t", "response_url": "https://hooks.slack.test/1"}
    action = {"action_id": Action.SEND_CUSTOMER, "value": value}
    handle_send_customer(
        ack=fakes.ack,
        body=body,
        action=action,
        respond=fakes.respond,
        client=fakes.client,
        context=context(relay),
    )


def dms_to(sim, user: str) -> list[str]:
    return [
        str(m.get("text")) + str(m.get("blocks")) for m in sim.messages(sim.dm_channel(user) or "")
    ]


def test_update_in_the_war_room_briefs_executives_and_waits_for_send(fakes, relay, playbook, sim):
    key, room = acme_sev1(relay)
    priya = uid(playbook, "priya.shah")  # the IC (Amara declared; not eligible)
    helen, marcus = uid(playbook, "helen.carter"), uid(playbook, "marcus.bell")
    briefs_before = {u: len(dms_to(sim, u)) for u in (helen, marcus)}
    customer_before = len(sim.messages(ACME_CHANNEL))
    esc(fakes, relay, priya, "update", channel=room)
    view = fakes.of("views_open")[0]["view"]
    assert view["callback_id"] == Callback.UPDATE
    assert f'"key": "{key}"' in view["private_metadata"]
    due = view["blocks"][6]["element"]["initial_date_time"]
    assert due == int((MON_0900 + timedelta(minutes=30)).timestamp())  # Sev1 cadence

    current = f"Processor restarted; call Priya on {PHONE}, bot token {TOKEN}"
    post_form(fakes, relay, priya, view["private_metadata"], values(current, customer=True))
    told = fakes.told()
    assert "Situation update on" in told and "2 executive(s) briefed" in told, told

    posted = [m for m in sim.messages(room) if "situation update" in str(m.get("blocks"))]
    assert len(posted) == 1
    text = str(posted[0]["blocks"])
    assert PHONE not in text and "xoxb-" not in text
    assert "[redacted: phone]" in text and "Failing over" in text
    for exec_id in (helen, marcus):  # Helen is executive, exec sponsor and informed: once
        briefs = [d for d in dms_to(sim, exec_id) if "Executive brief" in d]
        assert (
            len(briefs)
            == len(
                [
                    d
                    for d in dms_to(sim, exec_id)[: briefs_before[exec_id]]
                    if "Executive brief" in d
                ]
            )
            + 1
        )
        assert "Approve a status page post" in briefs[-1]
        assert PHONE not in briefs[-1] and "xoxb-" not in briefs[-1]
    assert len(sim.messages(ACME_CHANNEL)) == customer_before  # nothing without Send
    preview = [
        m
        for m in sim.messages(sim.dm_channel(priya))
        if Action.SEND_CUSTOMER in str(m.get("blocks"))
    ]
    assert len(preview) == 1 and "Priya" not in str(preview[0]["blocks"])

    with relay.sessions() as db:
        update = db.scalar(select(SituationUpdate).order_by(SituationUpdate.id.desc()))
        notes = db.scalars(select(TimelineEvent).where(TimelineEvent.kind == "redacted")).all()
    assert PHONE not in update.current_state
    assert any(
        n.after.get("where") == "situation update" and n.after.get("phone") == 1 for n in notes
    )

    for _ in range(2):  # a double click sends once
        click_send(fakes, relay, priya, f"{key}:{update.id}")
    sent = sim.messages(ACME_CHANNEL)[customer_before:]
    assert len(sent) == 1
    assert "[redacted: internal name]" in sent[0]["text"] and "Priya" not in sent[0]["text"]
    assert PHONE not in sent[0]["text"] and "xoxb-" not in sent[0]["text"]
    assert "already sent" in fakes.told()
    card = str(sim.message(stored(relay, key).card_channel, stored(relay, key).card_ts)["blocks"])
    assert "last update" in card and "next update due" in card


def test_someone_outside_the_team_and_roles_cannot_post(fakes, relay, playbook, sim):
    key, room = acme_sev1(relay)
    wei = uid(playbook, "wei.lim")
    esc(fakes, relay, wei, f"update {key}")
    assert not fakes.of("views_open")
    assert "Only the Payments team" in fakes.told()


def test_a_next_update_in_the_past_is_answered_inline_and_nothing_posted(fakes, relay, playbook):
    key, room = acme_sev1(relay)
    priya = uid(playbook, "priya.shah")
    past = int((MON_0900 - timedelta(minutes=5)).timestamp())
    meta = f'{{"key": "{key}"}}'
    post_form(fakes, relay, priya, meta, values("x", customer=False, due=past))
    assert fakes.calls == [
        (
            "ack",
            {"response_action": "errors", "errors": {"next_update": "Pick a time in the future."}},
        )
    ]
    with relay.sessions() as db:
        assert (
            db.scalar(select(SituationUpdate).where(SituationUpdate.current_state == "x")) is None
        )


def test_only_the_team_or_incident_roles_may_send_and_resolving_prepares_the_notice(
    fakes, relay, playbook, sim
):
    key, _ = acme_sev1(relay)
    priya = uid(playbook, "priya.shah")
    changes.resolve(
        relay,
        key,
        by=priya,
        summary="Processor failover done; Priya watching",
        root_cause="Unknown",
    )
    with relay.sessions() as db:
        notice = db.scalar(
            select(SituationUpdate)
            .where(SituationUpdate.kind == "resolution")
            .order_by(SituationUpdate.id.desc())
        )
        briefs = db.scalars(
            select(TimelineEvent)
            .where(
                TimelineEvent.kind == "comms.briefed", TimelineEvent.ticket_id == notice.ticket_id
            )
            .order_by(TimelineEvent.id)
        ).all()
    assert notice.customer_text == "Processor failover done; [redacted: internal name] watching"
    assert briefs[-1].after["reason"] == "resolved"
    before = len(sim.messages(ACME_CHANNEL))
    click_send(fakes, relay, uid(playbook, "wei.lim"), f"{key}:{notice.id}")
    assert "Only the comms lead, the IC or the team" in fakes.told()
    assert len(sim.messages(ACME_CHANNEL)) == before
    click_send(fakes, relay, priya, f"{key}:{notice.id}")
    sent = sim.messages(ACME_CHANNEL)[before:]
    assert len(sent) == 1 and "resolved" in sent[0]["text"] and "Priya" not in sent[0]["text"]
