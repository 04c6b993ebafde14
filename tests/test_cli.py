"""`relay` as a newcomer meets it: missing tokens, playbook check, invalid playbook."""

import subprocess
import sys
from pathlib import Path

import pytest

from app.bot import build_relay
from app.cli import main
from app.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def run_relay(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_missing_tokens_are_named_with_how_to_get_them(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = run_relay("run", env=env)
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN and SLACK_APP_TOKEN not set" in result.stderr
    assert "manifest.yml" in result.stderr and "make drill" in result.stderr
    assert "Traceback" not in result.stderr


def test_http_mode_needs_the_signing_secret():
    settings = Settings(_env_file=None, slack_bot_token="xoxb-1")
    with pytest.raises(SystemExit, match="SLACK_SIGNING_SECRET not set"):
        build_relay(settings, mode="http")


def test_relay_refuses_to_start_on_an_invalid_playbook(tmp_path):
    bad = tmp_path / "playbook.yml"
    text = (ROOT / "playbook.yml").read_text().replace("manager: james.whitfield", "manager: bob")
    bad.write_text(text)
    settings = Settings(
        _env_file=None,
        slack_bot_token="xoxb-1",
        slack_signing_secret="s",
        relay_playbook=str(bad),
        database_url=f"sqlite:///{tmp_path}/r.db",
    )
    with pytest.raises(SystemExit) as refused:
        build_relay(settings, mode="http")
    assert "is invalid" in str(refused.value.code)
    assert "teams.payments.manager" in str(refused.value.code)


def test_playbook_check(tmp_path, capsys):
    assert main(["playbook", "check", str(ROOT / "playbook.yml")]) == 0
    assert capsys.readouterr().out.strip().endswith(": OK")
    bad = tmp_path / "bad.yml"
    bad.write_text(
        (ROOT / "playbook.yml").read_text().replace("response_minutes: 15", "response_minutes: -5")
    )
    assert main(["playbook", "check", str(bad)]) == 1
    assert "severities.sev1.response_minutes" in capsys.readouterr().out
