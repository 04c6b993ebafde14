"""The learning loop as people use it: resolve with a root cause, mitigate, the reporter's
"Did this fix it?", reviews with reminders and a canvas draft, action items."""

import json
from datetime import timedelta

from sqlalchemy import select

from app import changes, timer_changes
from app.listeners.actions import handle_open  # noqa: F401 (the card's buttons stay wired)
from app.listeners.events import handle_app_home_opened
from app.listeners.learning import (
    handle_action_button,
    handle_action_item,
    handle_confirm,
    handle_confirm_button,
)
from app.listeners.views import handle_resolve
from app.models import ActionItem, Confirmation, Deadline, Review, Status, Ticket, TimelineEvent
from blocks.ids import Action, Callback, Field
from tests.listeners.conftest import esc, new_ticket, stored
from tests.listeners.test_actions import click, run
from tests.listeners.test_views import choice, submit, text_value
from tests.sla.test_escalation import MON_0900, uid


def kinds(relay, key) -> list[str]:
    with relay.sessions() as db:
        ticket = db.scalar(select(Ticket).where(Ticket.key == key))
        stmt = select(TimelineEvent.kind).where(TimelineEvent.ticket_id == ticket.id)
        return list(db.scalars(stmt.order_by(TimelineEvent.id)))


def timers_of(relay, key) -> dict:
    with relay.sessions() as db:
        ticket = db.scalar(select(Ticket).where(Ticket.key == key))
        rows = db.scalars(select(Deadline).where(Deadline.subject_id == ticket.id))
        return {d.kind: d.due_at for d in rows if d.subject == "ticket"}


def thread_texts(sim, playbook, key, relay) -> str:
    ticket = stored(relay, key)
    queue = playbook.teams[ticket.team].queue_channel
    return "\n".join(m.get("text", "") for m in sim.messages(queue))


def dms(sim, user) -> list[dict]:
    channel = sim.dm_channel(user)
    return sim.messages(channel) if channel else []


def dm_about(sim, user, *words: str) -> bool:
    """Whether a DM to `user` says all of `words` (the clock also acts on tickets earlier
    tests left, so another DM may come after it)."""
    return any(all(w in m["text"] for w in words) for m in dms(sim, user))


def resolve_sev3(fakes, relay, playbook, key, summary="Restarted the export job"):
    esc(fakes, relay, uid(playbook, "amara.okafor"), f"resolve {key} {summary}")
    fakes.calls.clear()


def later(relay, **delta):
    """Time passes and the clock acts (on every ticket in the shared test database)."""
    relay.now.value += timedelta(**delta)
    timer_changes.fire_due_timers(relay)
    relay.deliver()


def sev2(relay) -> str:
    return new_ticket(relay, severity=2, override_reason="drill", title="Checkout slow")


def test_resolution_notice_goes_to_the_thread_and_the_reporter_is_asked(
    fakes, relay, playbook, sim
):
    key = new_ticket(relay, reporter_id=uid(playbook, "tom.hughes"))
    resolve_sev3(fakes, relay, playbook, key)
    thread = thread_texts(sim, playbook, key, relay)
    assert f"*{key} resolved:*" in thread and "*Resolution:* Restarted the export job" in thread
    asked = dms(sim, uid(playbook, "tom.hughes"))[-1]
    assert "Did this fix it?" in asked["text"]
    buttons = [
        e["action_id"] for b in asked["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == [Action.CONFIRM_FIXED, Action.CONFIRM_NOT_FIXED]
    assert "confirmation.close" in timers_of(relay, key)
    assert "review.due" not in kinds(relay, key)  # a Sev3 has no review


def test_a_sev2_resolve_needs_a_root_cause_from_the_playbook(fakes, relay, playbook):
    key = sev2(relay)
    agent = uid(playbook, "amara.okafor")
    esc(fakes, relay, agent, f"resolve {key} Rolled back the deploy")
    view = fakes.of("views_open")[0]["view"]  # the form, summary kept, not resolved at once
    assert view["blocks"][1]["element"]["initial_value"] == "Rolled back the deploy"
    assert view["blocks"][2]["block_id"] == Field.ROOT_CAUSE
    assert stored(relay, key).status != Status.RESOLVED
    meta = view["private_metadata"]
    for cause in (None, "Gremlins"):
        fakes.calls.clear()
        values = {Field.SUMMARY: text_value("Rolled back"), Field.ROOT_CAUSE: choice(cause)}
        submit(handle_resolve, fakes, relay, agent, Callback.RESOLVE, values, meta)
        assert fakes.names() == ["ack"] and set(fakes.of("ack")[0]["errors"]) == {"root_cause"}
        assert stored(relay, key).status != Status.RESOLVED
    fakes.calls.clear()
    values = {Field.SUMMARY: text_value("Rolled back"), Field.ROOT_CAUSE: choice("Code change")}
    submit(handle_resolve, fakes, relay, agent, Callback.RESOLVE, values, meta)
    assert stored(relay, key).status == Status.RESOLVED
    with relay.sessions() as db:
        resolved = db.scalar(
            select(TimelineEvent)
            .where(TimelineEvent.kind == "resolved")
            .order_by(TimelineEvent.id.desc())
        )
        assert resolved.after["root_cause"] == "Code change"
    assert {"confirmation.asked", "review.due"} <= set(kinds(relay, key))


def test_mitigate_keeps_the_resolution_clock_running(fakes, relay, playbook, sim):
    key = sev2(relay)
    esc(fakes, relay, uid(playbook, "wei.lim"), f"mitigate {key}")
    assert fakes.told().startswith("Only members of the Payments team")
    assert stored(relay, key).mitigated_at is None
    fakes.calls.clear()
    due = timers_of(relay, key)["resolution.breach"]
    esc(fakes, relay, uid(playbook, "amara.okafor"), f"mitigate {key}")
    assert fakes.told() == f"*{key}* is marked mitigated; the resolution clock keeps running."
    ticket = stored(relay, key)
    assert ticket.mitigated_at == MON_0900 and ticket.status in (Status.OPEN, Status.ACKNOWLEDGED)
    assert timers_of(relay, key)["resolution.breach"] == due  # the clock keeps running
    assert "Mitigated by" in thread_texts(sim, playbook, key, relay)
    card = sim.message(ticket.card_channel, ticket.card_ts)
    assert "Mitigated" in json.dumps(card["blocks"])


def test_the_reporter_confirms_the_fix_with_a_rating(fakes, relay, playbook):
    reporter = uid(playbook, "tom.hughes")
    key = new_ticket(relay, reporter_id=reporter)
    resolve_sev3(fakes, relay, playbook, key)
    # someone else cannot answer for the reporter
    run(handle_confirm_button, fakes, relay, click(uid(playbook, "wei.lim"), _yes(key)))
    assert fakes.told() == f"Only the person who reported {key} answers this."
    assert not fakes.of("views_open")
    fakes.calls.clear()
    run(handle_confirm_button, fakes, relay, click(reporter, _yes(key)))
    view = fakes.of("views_open")[0]["view"]
    assert view["callback_id"] == Callback.CONFIRM
    fakes.calls.clear()
    submit(
        handle_confirm,
        fakes,
        relay,
        reporter,
        Callback.CONFIRM,
        {Field.RATING: choice(None)},
        view["private_metadata"],
    )
    assert fakes.of("ack")[0]["errors"] == {"rating": "Pick 1 to 5."}
    fakes.calls.clear()
    values = {Field.RATING: choice("4"), Field.COMMENT: text_value("Quick, thanks <!channel>")}
    submit(
        handle_confirm, fakes, relay, reporter, Callback.CONFIRM, values, view["private_metadata"]
    )
    assert fakes.told() == f"Thank you! {key} is closed."
    assert stored(relay, key).status == Status.CLOSED
    assert kinds(relay, key)[-3:] == ["confirmed", "rated", "closed"]
    with relay.sessions() as db:
        rated = db.scalar(
            select(TimelineEvent)
            .where(TimelineEvent.kind == "rated")
            .order_by(TimelineEvent.id.desc())
        )
        assert rated.after == {"rating": 4, "comment": "Quick, thanks <!channel>"}
        asked = db.scalar(select(Confirmation).order_by(Confirmation.id.desc()))
        assert (asked.fixed, asked.rating) == (True, 4)
    assert "confirmation.close" not in timers_of(relay, key)
    fakes.calls.clear()  # a second answer is refused
    run(handle_confirm_button, fakes, relay, click(reporter, _yes(key)))
    assert fakes.told() == f"{key} is not waiting for your answer any more."


def _yes(key):
    return {"type": "button", "action_id": Action.CONFIRM_FIXED, "value": key}


def test_not_fixed_reopens_to_the_owner(fakes, relay, playbook, sim):
    reporter, agent = uid(playbook, "tom.hughes"), uid(playbook, "amara.okafor")
    key = new_ticket(relay, reporter_id=reporter)
    esc(fakes, relay, agent, f"ack {key}")
    resolve_sev3(fakes, relay, playbook, key)
    meta = json.dumps({"key": key, "fixed": False})
    submit(
        handle_confirm, fakes, relay, reporter, Callback.CONFIRM, {Field.RATING: choice("2")}, meta
    )
    assert fakes.told() == f"Thank you. {key} is reopened and back with its owner."
    ticket = stored(relay, key)
    assert (ticket.status, ticket.owner_id) == (Status.IN_PROGRESS, agent)
    assert kinds(relay, key)[-3:] == ["confirmed", "rated", "reopened"]
    assert "not fixed; it is back with you" in dms(sim, agent)[-1]["text"]


def test_no_answer_closes_the_ticket_after_the_playbooks_days(fakes, relay, playbook):
    key = new_ticket(relay)
    resolve_sev3(fakes, relay, playbook, key)
    later(relay, days=4, hours=23)
    assert stored(relay, key).status == Status.RESOLVED
    later(relay, hours=2)
    assert stored(relay, key).status == Status.CLOSED
    assert kinds(relay, key)[-1] == "closed"


def test_review_reminders_then_the_canvas_draft(fakes, relay, playbook, sim):
    key = sev2(relay)
    agent, manager = uid(playbook, "amara.okafor"), uid(playbook, "james.whitfield")
    esc(fakes, relay, agent, f"ack {key}")
    with relay.sessions() as db, db.begin():
        ticket = db.scalar(select(Ticket).where(Ticket.key == key))
        ticket.impact = "Checkout slow for customers; write to ops@example.com"
    changes.resolve(relay, key, by=agent, summary="Rolled back", root_cause="Code change")
    fakes.calls.clear()
    esc(fakes, relay, uid(playbook, "wei.lim"), f"review {key}")
    assert fakes.told().startswith("Only members of the Payments team")
    later(relay, days=3, minutes=1)  # 48 h before the deadline: the IC (here the facilitator)
    facilitator = _facilitator(relay, key) or agent
    assert dm_about(sim, facilitator, "blameless review", key)
    later(relay, days=1)  # 24 h before: the manager
    assert dm_about(sim, manager, "blameless review", key)
    fakes.calls.clear()
    esc(fakes, relay, agent, f"review {key}")
    assert fakes.told().startswith(f"*{key}*: the review is being drafted")
    relay.deliver()
    with relay.sessions() as db:
        review = db.scalar(select(Review).where(Review.ticket_id == stored(relay, key).id))
    canvas = sim.ws.canvases[review.canvas_id]
    md = canvas["markdown"]
    for part in (
        "## Summary",
        "## Customer impact",
        "## Key times",
        "Time to acknowledge",
        "Time to resolve",
        "## Timeline",
        "## Contributing factors",
        "## What went well",
        "## What did not go well",
        "## Action items",
    ):
        assert part in md, part
    assert "ops@example.com" not in md and "[redacted: email]" in md
    assert "Root-cause category:** Code change" in md
    assert " who " not in md.split("## Contributing factors")[1].split("## What went well")[0]
    assert "review.remind_ic" not in timers_of(relay, key)


def _facilitator(relay, key):
    from app.incidents import holders

    with relay.sessions() as db:
        return holders(db, db.scalar(select(Ticket).where(Ticket.key == key))).get("facilitator")


def _action_meta(key):
    return json.dumps({"key": key})


def test_action_items_from_the_form_to_done(fakes, relay, playbook, sim):
    key = new_ticket(relay)
    agent, tom, outsider = (uid(playbook, h) for h in ("amara.okafor", "tom.hughes", "wei.lim"))
    esc(fakes, relay, outsider, f"action {key} Add an alert")
    assert fakes.told().startswith("Only members of the Payments team") and not fakes.of(
        "views_open"
    )
    fakes.calls.clear()
    esc(fakes, relay, agent, f"action {key} Add an alert")
    view = fakes.of("views_open")[0]["view"]
    assert view["callback_id"] == Callback.ACTION_ITEM
    fakes.calls.clear()
    bad = {
        Field.WHAT: text_value(" "),
        Field.OWNER: {"type": "users_select", "selected_user": None},
        Field.DUE_ON: {"type": "datepicker", "selected_date": "2026-11-01"},
    }
    submit(handle_action_item, fakes, relay, agent, Callback.ACTION_ITEM, bad, _action_meta(key))
    assert set(fakes.of("ack")[0]["errors"]) == {"what", "owner", "due_on"}
    fakes.calls.clear()
    good = {
        Field.WHAT: text_value("Alert on export failures"),
        Field.OWNER: {"type": "users_select", "selected_user": tom},
        Field.DUE_ON: {"type": "datepicker", "selected_date": "2026-11-25"},
    }
    submit(handle_action_item, fakes, relay, agent, Callback.ACTION_ITEM, good, _action_meta(key))
    assert fakes.told() == f"Action item added to {key} for <@{tom}>."
    assert "Action item from" in dms(sim, tom)[-1]["text"]
    with relay.sessions() as db:
        item = db.scalar(select(ActionItem).order_by(ActionItem.id.desc()))
    assert {f"action.reminder:{item.id}", f"action.overdue:{item.id}"} <= set(timers_of(relay, key))
    fakes.calls.clear()
    esc(fakes, relay, tom, "actions")
    listed = json.dumps(fakes.of("respond")[0]["blocks"])
    assert "Alert on export failures" in listed and Action.ACTION_DONE in listed
    later(relay, days=1, hours=15, minutes=1)  # Tue 00:00 London +; 24 h before Thu 00:00
    assert dm_about(sim, tom, "Due soon", "Alert on export failures")
    later(relay, days=1)
    assert dm_about(sim, tom, "Overdue", "Alert on export failures")
    # App Home shows it
    fakes.calls.clear()
    fakes.client.views_publish = lambda **kw: fakes.calls.append(("views_publish", kw))
    handle_app_home_opened({"user": tom, "tab": "home"}, fakes.client, {"relay": relay})
    assert "Alert on export failures" in json.dumps(fakes.of("views_publish")[0]["view"])
    fakes.calls.clear()
    done = {"type": "button", "action_id": Action.ACTION_DONE, "value": str(item.id)}
    run(handle_action_button, fakes, relay, click(outsider, done))
    assert fakes.told() == "Only the item's owner, the ticket's team or an admin can close it."
    fakes.calls.clear()
    run(handle_action_button, fakes, relay, click(tom, done))
    assert fakes.told() == "Marked done: Alert on export failures"
    assert kinds(relay, key)[-1] == "action.done"
    assert not any(k.startswith("action.") for k in timers_of(relay, key))
