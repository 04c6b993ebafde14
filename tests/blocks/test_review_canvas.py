"""The review draft from a hand-built timeline: key times against the targets, captured
pins (or a note that there are none), prompts about conditions, never people; redacted."""

from datetime import timedelta

from app.models import ActionItem, Status, TimelineEvent
from blocks.review_canvas import review_markdown
from tests.blocks.test_card import NOW, make_ticket

AMARA, PRIYA = "U0HW88GQ274", "U0WP1SYY08E"


def event(kind, minutes, by=None, after=None, note=None):
    return TimelineEvent(
        kind=kind, at=NOW + timedelta(minutes=minutes), actor_id=by, after=after, note=note
    )


def test_the_draft_reads_the_timeline(playbook):
    ticket = make_ticket(
        playbook,
        title="Checkout down",
        description="Card payments fail; call +44 20 7946 0958",
        impact="Nobody can pay; mail finance@acme.example",
        status=Status.RESOLVED,
        resolution_summary="Rolled back",
        response_target_minutes=8,
        resolution_target_minutes=180,
    )
    pin = {
        "text": "Rolling back now, token xoxb-123456789012-123456789012-abcdefghijklmnopqrstuvwx",
        "author": PRIYA,
        "ts": "1.2",
        "permalink": "https://northwind.slack.com/archives/C1/p12",
    }
    events = [
        event("opened", 0, AMARA),
        event("sla.breached", 8, None, {"clock": "response"}),  # missed as /esc stats counts it
        event("acknowledged", 12, AMARA),
        event("escalated", 20, AMARA, {"tier": "L2", "reason": "manual"}),
        event("pin.captured", 25, None, pin),
        event("mitigated", 40, PRIYA),
        event(
            "resolved",
            90,
            PRIYA,
            {"status": "resolved", "root_cause": "Code change"},
            "Rolled back",
        ),
    ]
    item = ActionItem(what="Alert on error rate", owner_id=PRIYA, due_at=NOW + timedelta(days=7))
    md = review_markdown(ticket, playbook, events, [item], now=NOW + timedelta(days=1))
    assert "- **Time to acknowledge:** 12 min (target 8 min, missed)" in md
    assert "- **Time to resolve:** 1 h 30 min (target 3 h, met)" in md
    key_times = md.split("## Key times")[1].split("## Timeline")[0]
    for label in ("Opened", "Acknowledged", "Escalated", "Mitigated", "Resolved"):
        assert f"- {label}: " in key_times, label
    assert "📌 Priya Shah: “Rolling back now" in md and "(https://northwind" in md
    assert "xoxb-" not in md and "finance@acme.example" not in md and "7946" not in md
    assert "**Root-cause category:** Code change" in md
    assert "Alert on error rate · Priya Shah" in md
    factors = md.split("## Contributing factors")[1].split("## What went well")[0]
    assert "who" not in factors.lower().replace("never who", "")


def test_without_pins_the_draft_says_so(playbook):
    ticket = make_ticket(playbook, status=Status.RESOLVED, resolution_summary="Fixed")
    md = review_markdown(ticket, playbook, [event("opened", 0, AMARA)], [], now=NOW)
    assert "No messages were pinned" in md and "- None yet." in md
    assert "- **Time to resolve:** not yet" in md
