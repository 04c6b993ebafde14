from pathlib import Path

import pytest
import yaml

from app.playbook import Playbook, load_playbook, parse_playbook
from app.tickets.classification import (
    NO_MATCH,
    Suggestion,
    normalise,
    suggest_severity,
    suggest_team,
)

SHIPPED = Path(__file__).resolve().parents[2] / "playbook.yml"


@pytest.fixture(scope="module")
def playbook() -> Playbook:
    return load_playbook(SHIPPED)


def with_rules(rules: list[dict], default_severity: int = 3) -> Playbook:
    data = yaml.load(SHIPPED.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    data["classification"] = rules
    data["default_severity"] = default_severity
    return parse_playbook(data)


@pytest.mark.parametrize(
    ("ticket", "severity", "rule", "explanation"),
    [
        (
            {"title": "Checkout outage in EU", "team": "payments"},
            1,
            "Payments outage",
            "matched 'outage', service Payments",
        ),
        (
            {"title": "API down", "impact": "All users get 503s", "team": "platform"},
            1,
            "Widespread outage",
            "matched 'down', all users affected",
        ),
        (
            # the same words for another team and no broad impact: a partial outage
            {"title": "API down", "impact": "Two tenants", "team": "platform"},
            2,
            "Partial outage",
            "matched 'down'",
        ),
        (
            {"title": "Dashboard slow", "description": "Intermittent timeouts since 9am"},
            2,
            "Degraded service",
            "matched 'slow', 'timeouts', 'intermittent'",  # in playbook order
        ),
        (
            {"title": "Users locked out after SSO change", "team": "identity"},
            2,
            "Users locked out",
            "matched 'locked out', service Identity",
        ),
        (
            # the identity rule needs the identity team; the error rule still applies
            {"title": "Users locked out, error 401", "team": "payments"},
            3,
            "Errors and bugs",
            "matched 'error'",
        ),
        (
            {"title": "How do I export invoices?"},
            4,
            "Questions",
            "matched 'how do i'",
        ),
        (
            # several rules match: the most severe wins
            {"title": "Question: is the outage why refunds error?"},
            2,
            "Partial outage",
            "matched 'outage'",
        ),
        (
            # whole words only: "downtime" is not "down", "errored" is not "error"
            {"title": "Planned downtime errored", "team": "platform"},
            3,
            None,
            NO_MATCH,
        ),
        (
            {"title": "Export looks fine", "description": ""},
            3,
            None,
            NO_MATCH,
        ),
    ],
)
def test_suggestions(playbook, ticket, severity, rule, explanation):
    suggestion = suggest_severity(playbook, **ticket)
    assert (suggestion.severity, suggestion.rule) == (severity, rule)
    assert suggestion.explain() == explanation


def test_no_match_uses_the_default_severity():
    playbook = with_rules([{"name": "Outage", "severity": 1, "keywords": ["outage"]}], 4)
    assert suggest_severity(playbook, title="Printer jam") == Suggestion(
        severity=4, reasons=["no classification rule matched"], rule=None
    )


def test_listed_word_forms_match():
    playbook = with_rules([{"name": "Downtime", "severity": 2, "keywords": ["down", "downtime"]}])
    suggestion = suggest_severity(playbook, title="Unplanned downtime")
    assert (suggestion.severity, suggestion.reasons) == (2, ["'downtime'"])


def test_every_condition_of_a_rule_must_hold():
    rule = {
        "name": "Strategic payments outage",
        "severity": 1,
        "keywords": ["outage"],
        "teams": ["payments"],
        "impact": ["all customers", "checkout"],
    }
    playbook = with_rules([rule])
    full = {"title": "Outage", "team": "payments", "impact": "All customers, at checkout"}
    suggestion = suggest_severity(playbook, **full)
    assert suggestion.severity == 1
    assert suggestion.explain() == (
        "matched 'outage', service Payments, all customers affected, checkout affected"
    )
    for missing in ({"title": "Hiccup"}, {"team": "platform"}, {"impact": "one customer"}):
        assert suggest_severity(playbook, **{**full, **missing}).rule is None, missing


def test_impact_phrases_are_only_looked_for_in_the_impact_statement():
    playbook = with_rules([{"name": "Broad", "severity": 1, "impact": ["all users"]}])
    assert suggest_severity(playbook, title="all users", description="all users").rule is None
    assert suggest_severity(playbook, title="x", impact="ALL  users").rule == "Broad"


def test_a_team_only_rule():
    playbook = with_rules([{"name": "Identity first", "severity": 2, "teams": ["identity"]}])
    suggestion = suggest_severity(playbook, title="anything", team="identity")
    assert suggestion.explain() == "matched service Identity"
    assert suggest_severity(playbook, title="anything", team=None).rule is None


def test_ties_go_to_the_first_rule():
    rules = [
        {"name": "First", "severity": 2, "keywords": ["slow"]},
        {"name": "Second", "severity": 2, "keywords": ["slow"]},
    ]
    assert suggest_severity(with_rules(rules), title="slow").rule == "First"


@pytest.mark.parametrize(
    "title",
    [
        "ＯＵＴＡＧＥ at checkout",  # fullwidth letters
        "out\u200bage at checkout",  # zero-width space inside the word
        "o\u00adutage at checkout",  # soft hyphen
        "\u202eOutage\u202c at checkout",  # bidi override
        "OUTAGE\u00a0at checkout",  # no-break space
        "Outage!!! at checkout",  # punctuation right after the word
    ],
)
def test_odd_unicode_still_matches(playbook, title):
    suggestion = suggest_severity(playbook, title=title, team="payments")
    assert (suggestion.severity, suggestion.reasons) == (1, ["'outage'", "service Payments"])


def test_odd_unicode_in_phrases_and_apostrophes(playbook):
    suggestion = suggest_severity(playbook, title="Users can\u2019t log in", team="identity")
    assert suggestion.reasons == ["'can't log in'", "service Identity"]
    suggestion = suggest_severity(playbook, title="ｈｏｗ\u3000ｄｏ\u200d i reset MFA")
    assert suggestion.rule == "Questions"


def test_normalise():
    assert normalise("  ＳＴＲＡßE\u200b  Down\n") == "strasse down"


@pytest.mark.parametrize(
    ("title", "team"),
    [
        ("SSO login broken for admins", "identity"),
        ("Refund to card failed", "payments"),
        ("Webhook latency after deploy", "platform"),
        ("Printer jam", None),
    ],
)
def test_suggest_team(playbook, title, team):
    assert suggest_team(playbook, title=title) == team
