"""Thread notices and DMs show due times as Slack date tokens, never escaped."""

from datetime import UTC, datetime

from app.models import TimelineEvent
from blocks.notices import dm_text, handoff_dm, thread_text
from tests.blocks.test_card import NOW, make_ticket

DUE = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
TOKEN = "<!date^1795438800^{date_short_pretty} {time}|Mon 23 Nov 13:00 GMT>"


def event(kind: str, after: dict, before: dict | None = None) -> TimelineEvent:
    return TimelineEvent(kind=kind, at=NOW, actor_id="U0HW88GQ274", after=after, before=before)


def test_thread_notices_carry_the_token(playbook):
    ticket = make_ticket(playbook)
    warning = event("sla.warning", {"clock": "response", "due_at": DUE.isoformat()})
    assert thread_text(warning, ticket, playbook) == (
        f":warning: Response target at risk: due {TOKEN}."
    )
    breached = event("sla.breached", {"clock": "resolution", "due_at": DUE.isoformat()})
    assert f"(was due {TOKEN})" in thread_text(breached, ticket, playbook)
    changed = event(
        "severity.changed",
        {"severity": 2, "response_due_at": DUE.isoformat(), "resolution_due_at": None},
        {"severity": 1},
    )
    text = thread_text(changed, ticket, playbook)
    assert f"Response due {TOKEN}, resolution due no deadline." in text


def test_dms_carry_the_token_unescaped(playbook):
    ticket = make_ticket(playbook, handoff_note="<!here> see logs")
    offered = {"to": "amara.okafor", "step": "primary", "tier": "L2", "due_at": DUE.isoformat()}
    dm = handoff_dm(event("handoff.offered", offered), ticket, playbook)
    text = dm["blocks"][0]["text"]["text"]
    assert f"Accept by {TOKEN}, or it goes to the L2 secondary." in text
    assert "&lt;!here&gt; see logs" in text and "&lt;!date" not in text
    warning = event("sla.warning", {"clock": "response", "due_at": DUE.isoformat()})
    assert dm_text(warning, ticket, playbook).endswith(f"the response target is due {TOKEN}.")
