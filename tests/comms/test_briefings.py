"""Who is briefed and when: executives, the exec sponsor and the RACI's informed, once
each; exec sponsors also for their Sev2s; nobody for a Sev3; what a brief carries is
redacted and noted on the timeline."""

from app.comms import briefings
from tests.sla.test_escalation import MON_0900, open_sev3, uid


def names(playbook, ids):
    return [playbook.person_by_user_id(u)[0] for u in ids]


def test_a_sev1_briefs_executives_sponsor_and_informed_once_each(db, playbook):
    ticket = open_sev3(db, playbook, severity=1, override_reason="x", customer="globex")
    # executives Helen, Marcus; Globex's sponsor Grace (also `informed` of `technical`)
    assert names(playbook, briefings.recipients(playbook, ticket)) == [
        "helen.carter",
        "marcus.bell",
        "grace.liu",
    ]


def test_an_exec_sponsor_gets_their_own_accounts_sev2_and_nobody_a_sev3(db, playbook):
    sev2 = open_sev3(db, playbook, severity=2, override_reason="x", customer="hooli-health")
    assert names(playbook, briefings.recipients(playbook, sev2)) == ["marcus.bell"]
    assert briefings.recipients(playbook, open_sev3(db, playbook)) == []
    assert briefings.on_declared(db, playbook, open_sev3(db, playbook), now=MON_0900) == []


def test_raising_is_a_declaration_and_lowering_tells_who_was_briefed(db, playbook):
    ticket = open_sev3(db, playbook, customer="acme-bank")
    ticket.severity = 2  # Acme's sponsor Helen hears of its Sev2
    [event] = briefings.on_declared(db, playbook, ticket, now=MON_0900)
    db.flush()
    assert event.after["reason"] == "declared" and event.after["to"] == [
        uid(playbook, "helen.carter")
    ]
    ticket.severity = 1
    [event] = briefings.on_declared(db, playbook, ticket, now=MON_0900)
    db.flush()
    assert event.after["reason"] == "declared"
    assert set(event.after["to"]) == {uid(playbook, "helen.carter"), uid(playbook, "marcus.bell")}
    ticket.severity = 3
    assert briefings.on_declared(db, playbook, ticket, now=MON_0900) == []  # not a declaration
    [event] = briefings.on_lowered(db, playbook, ticket, was=1, now=MON_0900)
    assert event.after["reason"] == "severity"
    assert set(event.after["to"]) == {uid(playbook, "helen.carter"), uid(playbook, "marcus.bell")}
    ticket.severity = 4
    assert briefings.on_lowered(db, playbook, ticket, was=3, now=MON_0900) == []


def test_nothing_is_briefed_before_the_declaration_is(db, playbook):
    # a Sev1 waiting for approval, then rejected back to Sev3: executives hear nothing
    ticket = open_sev3(db, playbook, severity=1, override_reason="x", customer="acme-bank")
    assert briefings.on_resolved(db, playbook, ticket, now=MON_0900) == []
    ticket.severity = 3
    assert briefings.on_lowered(db, playbook, ticket, was=1, now=MON_0900) == []


def test_what_a_brief_carries_is_redacted_and_counted(db, playbook):
    ticket = open_sev3(
        db,
        playbook,
        severity=1,
        override_reason="x",
        impact="Ring the duty phone +44 20 7946 0958 or mail ops@acme.example",
    )
    redacted, briefed = briefings.on_declared(db, playbook, ticket, now=MON_0900)
    assert redacted.kind == "redacted"
    assert redacted.after == {"phone": 1, "email": 1, "where": "executive brief"}
    assert "0958" not in str(briefed.after) and "ops@" not in str(briefed.after)
    assert "[redacted: phone]" in briefed.after["fields"]["impact"]


def test_a_declaration_is_briefed_once_per_severity_reached(db, playbook):
    ticket = open_sev3(db, playbook, severity=1, override_reason="x", customer="acme-bank")
    assert len(briefings.on_declared(db, playbook, ticket, now=MON_0900)) == 1
    db.flush()
    assert briefings.on_declared(db, playbook, ticket, now=MON_0900) == []  # twice: once
    ticket.severity = 2
    [lowered] = briefings.on_lowered(db, playbook, ticket, was=1, now=MON_0900)
    db.flush()
    assert lowered.after["reason"] == "severity"
    db.flush()
    ticket.severity = 1  # back up: already declared at Sev1, so a severity-change brief
    [raised] = briefings.on_declared(db, playbook, ticket, now=MON_0900, was=2)
    db.flush()
    assert raised.after["reason"] == "severity" and raised.after["severity"] == 1
    assert set(raised.after["to"]) == set(lowered.after["to"])
    assert briefings.on_declared(db, playbook, ticket, now=MON_0900) == []  # no change: none


def test_a_raise_rejected_back_to_what_executives_last_heard_is_not_briefed(db, playbook):
    ticket = open_sev3(db, playbook, severity=1, override_reason="x", customer="acme-bank")
    briefings.on_declared(db, playbook, ticket, now=MON_0900)
    db.flush()
    ticket.severity = 2
    assert len(briefings.on_lowered(db, playbook, ticket, was=1, now=MON_0900)) == 1
    db.flush()
    # raised to Sev1 again, held for approval (no brief), rejected back to Sev2
    assert briefings.on_lowered(db, playbook, ticket, was=1, now=MON_0900) == []
