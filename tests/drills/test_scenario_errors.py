"""A drill file with a mistake is told where: the step and the field, never a traceback."""

import copy
import io
import subprocess
import sys

import pytest
import yaml

from app.drills.runner import run_drill
from app.drills.scenario import SCENARIOS, DrillError, validate_scenario

BASE = yaml.safe_load((SCENARIOS / "escalate-message.yml").read_text())


def _set(path, value):
    """A change to the shipped escalate-message scenario: set (or, with None, drop) a key."""

    def change(scenario):
        *parents, last = path
        node = scenario
        for key in parents:
            node = node[key]
        if value is None:
            node.pop(last)
        else:
            node[last] = value

    return change


def _rename(path, old, new):
    def change(scenario):
        node = scenario
        for key in path:
            node = node[key]
        node[new] = node.pop(old)

    return change


FIELDS = (
    "title, description, impact, business_rationale, team, customer, escalation_type, "
    "severity, override_reason, handoff_note, new_severity, reason, summary"
)

MISTAKES = [
    (
        "submit field",
        _set(["steps", 2, "submit", "sev"], "Sev1"),
        f"steps[2].submit.sev: no field 'sev'; fields: {FIELDS}",
    ),
    (
        "expects for expect",
        _rename(["steps", 1], "expect", "expects"),
        "steps[1].expects: unknown key 'expects' (did you mean 'expect'?); keys: at, actor, "
        "post, command, channel, shortcut, submit, click, open_home, react, expect",
    ),
    (
        "contians for contains",
        _rename(["steps", 1, "expect", 0], "contains", "contians"),
        "steps[1].expect[0].contians: unknown key 'contians' (did you mean 'contains'?); keys: "
        "seen_by, kind, contains, count, by, say, pings",
    ),
    (
        "click action",
        _set(["steps", 3, "click", "action"], "ack"),
        "steps[3].click.action: no button 'ack'; actions: ticket_ack, ticket_assign, "
        "ticket_escalate, ticket_severity, ticket_resolve, handoff_accept, ticket_open, "
        "confirm_fixed, confirm_not_fixed, action_done, action_drop, "
        "approval_approve, approval_reject, ticket_update, customer_send",
    ),
    (
        "click without card or in_dm",
        _set(["steps", 3, "click", "card"], None),
        "steps[3].click: give either card: KEY or in_dm: true",
    ),
    (
        "post channel",
        _set(["steps", 0, "post", "channel"], "acme-suport"),
        "steps[0].post.channel: no channel 'acme-suport' (did you mean 'acme-support'?); "
        "channels: acme-support, esc-identity, esc-payments, esc-platform, escalation-reports,"
        " ext-acme-bank",
    ),
    (
        "shortcut",
        _set(["steps", 1, "shortcut"], "escalate"),
        "steps[1].shortcut: no shortcut 'escalate' (did you mean 'escalate_message'?); "
        "shortcuts: escalate_message, new_escalation",
    ),
    (
        "expectation kind",
        _set(["steps", 2, "expect", 0, "kind"], "messages"),
        "steps[2].expect[0].kind: no kind 'messages' (did you mean 'message'?); kinds: message, "
        "message_updated, message_deleted, ephemeral, response, dm, view_opened, view_updated, "
        "view_pushed, view_closed, home_published",
    ),
    (
        "seen_by channel",
        _set(["steps", 2, "expect", 0, "seen_by"], "#esc-paymnts"),
        "steps[2].expect[0].seen_by: no channel '#esc-paymnts' (did you mean 'esc-payments'?); "
        "channels: acme-support, esc-identity, esc-payments, esc-platform, escalation-reports,"
        " ext-acme-bank",
    ),
    (
        "unquoted time",
        _set(["steps", 2, "at"], 90),
        'steps[2].at: write the time in quotes, e.g. "01:30" (YAML reads 01:30 as a number)',
    ),
    (
        "time going back",
        _set(["steps", 2, "at"], "00:10"),
        "steps[2].at: 00:10 is before steps[1] at 00:45",
    ),
    (
        "start zone",
        _set(["start"], "2026-11-28 22:00 Mars/Olympus"),
        "start: no time zone 'Mars/Olympus'; use an IANA name such as Europe/London",
    ),
    (
        "start format",
        _set(["start"], "tomorrow"),
        "start: expected \"YYYY-MM-DD HH:MM\" and a zone such as Europe/London, got 'tomorrow'",
    ),
    (
        "command",
        _set(["steps", 4, "command"], "/escc ack ESC-1"),
        "steps[4].command: no command '/escc'; commands: /esc",
    ),
    (
        "count not a number",
        _set(["steps", 2, "expect", 0, "count"], "one"),
        "steps[2].expect[0].count: expected a whole number, got 'one'",
    ),
    (
        "actor with nothing to do",
        _set(["steps", 5, "command"], None),
        "steps[5]: tom.hughes has nothing to do; give one of post, command, shortcut, submit, "
        "click, open_home",
    ),
    (
        "two actions in a step",
        _set(["steps", 5, "post"], {"channel": "acme-support", "text": "hi"}),
        "steps[5]: one action per step, found post, command",
    ),
    (
        "guest key",
        _rename(["guests", "dana"], "name", "nmae"),
        "guests.dana.nmae: unknown key 'nmae' (did you mean 'name'?); keys: name",
    ),
    (
        "expectation with nothing to look at",
        _set(["expect", 0, "seen_by"], None),
        "expect[0]: give either seen_by (a person or #channel) or pings",
    ),
    (
        "missing post text",
        _set(["steps", 0, "post", "text"], None),
        "steps[0].post.text: missing",
    ),
    (
        "unknown role",
        _set(["steps", 3, "actor"], "payments.L9.primary"),
        "steps[3].actor: no person 'payments.L9.primary'",
    ),
    (
        "unknown top-level key",
        _rename([], "steps", "stpes"),
        "stpes: unknown key 'stpes' (did you mean 'steps'?); keys: name, title, start, "
        "tick_every, guests, channels, home_channel, steps, expect",
    ),
]


def _write(tmp_path, change) -> str:
    scenario = copy.deepcopy(BASE)
    change(scenario)
    path = tmp_path / "broken.yml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False))
    return str(path)


@pytest.mark.parametrize(("mistake", "change", "message"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_a_mistake_in_a_drill_file_is_named_by_step_and_field(tmp_path, mistake, change, message):
    out = io.StringIO()
    assert run_drill(_write(tmp_path, change), out=out) == 2
    printed = out.getvalue()
    assert f"relay drill: {message}" in printed
    assert "Traceback" not in printed
    assert "Drill escalate-message" not in printed  # refused before anything ran


RUN_TIME = [
    (
        "a field the open modal does not have",
        _set(["steps", 2, "submit", "summary"], "x"),
        "relay drill: scenario error: steps[2].submit.summary: no field 'summary' in the modal "
        "“New escalation”; fields: title, description, impact, business_rationale, team, "
        "customer, escalation_type, severity, override_reason",
    ),
    (
        "a button the card does not have",
        _set(["steps", 3, "click", "action"], "handoff_accept"),
        "relay drill: scenario error: steps[3].click.action: the card has no 'handoff_accept' "
        "button now; buttons: ticket_ack, ticket_escalate, ticket_severity, ticket_assign, "
        "ticket_update, ticket_resolve",
    ),
]


@pytest.mark.parametrize(("mistake", "change", "message"), RUN_TIME, ids=[m[0] for m in RUN_TIME])
def test_a_mistake_found_while_running_names_the_step(tmp_path, mistake, change, message):
    out = io.StringIO()
    assert run_drill(_write(tmp_path, change), out=out) == 2
    assert message in out.getvalue()
    assert "Traceback" not in out.getvalue()


def test_relay_drill_exits_2_with_the_message_and_no_traceback(tmp_path):
    path = _write(tmp_path, _set(["steps", 2, "submit", "sev"], "Sev1"))
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "drill", path], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert f"relay drill: steps[2].submit.sev: no field 'sev'; fields: {FIELDS}" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_broken_yaml_is_a_scenario_error(tmp_path):
    path = tmp_path / "broken.yml"
    path.write_text("name: x\nsteps: [\n")
    out = io.StringIO()
    assert run_drill(str(path), out=out) == 2
    assert "relay drill: broken.yml is not valid YAML" in out.getvalue()


def test_the_shipped_scenarios_are_valid():
    for path in SCENARIOS.glob("*.yml"):
        validate_scenario(yaml.safe_load(path.read_text()))


def test_validation_does_not_need_a_file():
    with pytest.raises(DrillError, match=r"^steps: missing$"):
        validate_scenario({"name": "x"})


def test_a_card_that_is_not_there_yet_names_the_step(tmp_path):
    path = _write(tmp_path, _set(["steps", 3, "click", "card"], "ESC-9"))
    out = io.StringIO()
    assert run_drill(path, out=out) == 2
    assert "relay drill: scenario error: steps[3]: ESC-9 has no card yet" in out.getvalue()
