"""`relay drill`: the shipped scenario passes; a broken expectation fails the drill."""

import io

import yaml

from app.drill import SCENARIOS, run_drill


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
