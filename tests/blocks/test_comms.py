"""The comms views: templates filled with escaped user text, the brief's decision line,
the customer notice without internal names, and the channel purpose redacted."""

from types import SimpleNamespace

from blocks import comms
from blocks.incidents import purpose
from tests.sla.test_escalation import MON_0900, open_sev3


def test_the_purpose_of_a_channel_is_redacted():
    ticket = SimpleNamespace(key="ESC-9", title="Call +1 415 555 0100 or ops@acme.example")
    assert purpose(ticket) == "ESC-9: Call [redacted: phone] or [redacted: email]"


def test_a_brief_escapes_what_people_typed_and_says_what_is_asked(db, playbook):
    ticket = open_sev3(db, playbook, severity=1, override_reason="x", customer="acme-bank")
    fields = {
        "title": "<!channel> checkout",
        "impact": "all <@U0HW88GQ274> users",
        "summary": "",
        "actions": "fail over",
        "decision": "",
    }
    event = SimpleNamespace(
        after={
            "to": [],
            "reason": "update",
            "next_update_at": MON_0900.isoformat(),
            "fields": fields,
        }
    )
    brief = comms.executive_brief(ticket, playbook, event, "<#C0LYPHTPUTJ>")
    text = str(brief["blocks"])
    assert "&lt;!channel&gt; checkout" in text and "<!channel>" not in text
    assert "&lt;@U0HW88GQ274&gt;" in text
    assert "*Decision needed:* nothing at this point" in text
    assert "*Customer:* Acme Bank (Strategic)" in text
    assert brief["text"] == f"Executive brief: {ticket.key} situation update"
