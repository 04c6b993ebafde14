"""`relay drill`: the shipped scenario passes; a broken expectation fails the drill."""

import io

import yaml

from app.drills.runner import run_drill
from app.drills.scenario import SCENARIOS


def test_shipped_scenario_passes_and_tells_who_saw_what():
    out = io.StringIO()
    assert run_drill("escalate-message", out=out) == 0
    transcript = out.getvalue()
    assert "12/12 expectations met." in transcript
    assert "#esc-payments sees a message: ESC-1" in transcript
    assert "Amara Okafor sees, only to them in #acme-support: Opened ESC-1" in transcript
    assert "✗" not in transcript


def test_failed_expectation_exits_non_zero(tmp_path):
    scenario = yaml.safe_load((SCENARIOS / "escalate-message.yml").read_text())
    scenario["expect"].append({"seen_by": "#esc-payments", "contains": "ESC-2", "say": "a 2nd"})
    path = tmp_path / "broken.yml"
    path.write_text(yaml.safe_dump(scenario))
    out = io.StringIO()
    assert run_drill(str(path), out=out) == 1
    assert "✗ a 2nd (found 0, wanted at least 1)" in out.getvalue()


def test_unknown_scenario_lists_the_shipped_ones():
    out = io.StringIO()
    assert run_drill("no-such-drill", out=out) == 2
    assert "escalate-message" in out.getvalue()


def test_sev3_breach_drill_warns_breaches_and_hands_off_once_and_on_time():
    out = io.StringIO()
    assert run_drill("sev3-breach", out=out) == 0
    transcript = out.getvalue()
    assert "19/19 expectations met." in transcript
    assert "[12:01:00] Time passes." in transcript  # the warning, one hour before 13:01
    assert "Lukas Becker gets a DM from Relay: ESC-1 (Sev3, Payments L2) is handed to you" in (
        transcript
    )


def test_a_late_notice_fails_the_drill(tmp_path):
    scenario = yaml.safe_load((SCENARIOS / "sev3-breach.yml").read_text())
    warned = scenario["steps"][2]["expect"][0]
    warned["by"] = "03:00:00"  # a minute before the warning is due
    path = tmp_path / "late.yml"
    path.write_text(yaml.safe_dump(scenario))
    out = io.StringIO()
    assert run_drill(str(path), out=out) == 1
    assert "✗ the L1 primary is warned an hour before, once (found 0, wanted 1)" in out.getvalue()
