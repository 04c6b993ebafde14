"""The handoff DM promises only the next step there is."""

from datetime import UTC, datetime

from app.models import TimelineEvent
from blocks.notices import dm_text, handoff_dm, thread_text
from tests.blocks.test_card import make_ticket


def offer(step: str, due_at: str | None) -> TimelineEvent:
    after = {"to": "x", "step": step, "tier": "L2", "due_at": due_at, "notify": []}
    return TimelineEvent(kind="handoff.offered", after=after, at=datetime(2026, 11, 23, tzinfo=UTC))


def dm(playbook, step, due_at) -> str:
    return str(handoff_dm(offer(step, due_at), make_ticket(playbook), playbook)["blocks"])


def test_each_step_names_who_is_next(playbook):
    due = "2026-11-23T09:30:00+00:00"
    assert "or it goes to the L2 secondary." in dm(playbook, "primary", due)
    assert "or it goes to the team manager." in dm(playbook, "secondary", due)


def test_the_manager_is_not_promised_a_next_person(playbook):
    text = dm(playbook, "manager", None)
    assert "goes to" not in text and "no deadline" not in text
    assert "you are the last step of the handoff" in text


def test_a_confidential_ticket_keeps_what_people_wrote_out_of_thread_and_dms(playbook):
    ticket = make_ticket(playbook, escalation_type="security", title="Leaked keys")
    at = datetime(2026, 11, 23, tzinfo=UTC)
    resolved = TimelineEvent(kind="resolved", actor_id="U0HW88GQ274", note="Rotated", at=at)
    assert (
        thread_text(resolved, ticket, playbook) == ":white_check_mark: Resolved by <@U0HW88GQ274>."
    )
    after = {"reason": "response_breach", "tier": "L2", "notify": []}
    told = dm_text(TimelineEvent(kind="manager.notified", after=after, at=at), ticket, playbook)
    assert "Leaked keys" not in told and "confidential Security ticket" in told
    ticket.escalation_type = "technical"
    assert "Rotated" in thread_text(resolved, ticket, playbook)
    assert "Leaked keys" in dm_text(
        TimelineEvent(kind="manager.notified", after=after, at=at), ticket, playbook
    )
