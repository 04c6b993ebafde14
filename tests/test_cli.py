"""`relay` as a newcomer meets it: missing tokens, playbook check, invalid playbook, and a
database schema that is missing, behind or newer (one line each, naming the fix)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sqlalchemy import text

from app.cli import main
from app.db import head_revision, make_engine, make_sessionmaker, scratch_database, upgrade
from app.models import Status
from app.playbook import load_playbook
from app.settings import Settings
from app.startup import build_relay
from tests.sla.test_escalation import open_sev3
from tests.sla.test_people import removed, shipped_data

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


# -- the database schema: one clear line, and the commands that fix it ----------------------


def relay_env(tmp_path, database_url, **extra):
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": "http://127.0.0.1:9/",
        "RELAY_PLAYBOOK": str(ROOT / "playbook.yml"),
        **extra,
    }


def one_line(result) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_db_current_and_db_upgrade(tmp_path):
    env = relay_env(tmp_path, f"sqlite:///{tmp_path}/relay.db")
    empty = run_relay("db", "current", env=env)
    assert empty.returncode == 1
    assert empty.stdout.startswith("none: ") and "relay db upgrade" in empty.stdout
    upgraded = run_relay("db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert upgraded.stdout == f"Database upgraded to {head_revision()} (was empty).\n"
    again = run_relay("db", "upgrade", env=env)
    assert again.stdout == f"Database already at {head_revision()} (head); nothing to do.\n"
    current = run_relay("db", "current", env=env)
    assert (current.returncode, current.stdout.strip()) == (0, f"{head_revision()} (head)")


def test_a_schema_from_a_newer_relay_is_one_line(tmp_path):
    url = f"sqlite:///{tmp_path}/relay.db"
    upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    engine.dispose()
    result = run_relay("clock", "--once", env=relay_env(tmp_path, url))
    assert result.returncode != 0
    assert "schema revision 0099" in one_line(result)


@pytest.fixture
def postgres_base():
    base = os.environ.get("RELAY_TEST_DATABASE_URL")
    if not base:
        pytest.skip("needs PostgreSQL (RELAY_TEST_DATABASE_URL)")
    return base


@pytest.mark.postgres_only
def test_clock_on_a_database_without_schema_names_the_fix(tmp_path, postgres_base):
    with scratch_database(postgres_base, migrate=False) as url:
        result = run_relay("clock", "--once", env=relay_env(tmp_path, url))
    assert result.returncode != 0
    line = one_line(result)
    assert "no Relay schema" in line and "relay db upgrade" in line


@pytest.mark.postgres_only
def test_web_on_a_schema_behind_names_the_fix_and_db_upgrade_fixes_it(tmp_path, postgres_base):
    with scratch_database(postgres_base, migrate=False) as url:
        upgrade(url, "0003")
        env = relay_env(tmp_path, url.replace("postgresql+psycopg://", "postgres://"))
        result = run_relay("web", "--port", "9", env=env)
        assert result.returncode != 0
        line = one_line(result)
        assert "behind (at 0003" in line and "relay db upgrade" in line
        assert run_relay("db", "upgrade", env=env).returncode == 0
        current = run_relay("db", "current", env=env)
    assert current.stdout.strip() == f"{head_revision()} (head)"


# -- playbook check against the open tickets in the database ----------------------------------


def test_playbook_check_warns_about_what_open_tickets_name_and_the_file_removes(tmp_path):
    url = f"sqlite:///{tmp_path}/relay.db"
    upgrade(url)
    engine = make_engine(url)
    playbook = load_playbook(ROOT / "playbook.yml")
    with make_sessionmaker(engine)() as db, db.begin():
        snapshotted, older, resolved = (open_sev3(db, playbook) for _ in range(3))
        older.policy = {k: v for k, v in older.policy.items() if k != "people"}
        resolved.status = Status.RESOLVED
    engine.dispose()
    edited = tmp_path / "edited.yml"
    data = removed(removed(shipped_data(), "priya.shah", "sofia.marin"), "initech")
    edited.write_text(yaml.dump(data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper)))
    result = run_relay("playbook", "check", str(edited), env=relay_env(tmp_path, url))
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        f"{edited}: warning: 1 open ticket names people the new playbook removes: "
        f"priya.shah ({snapshotted.key}); they keep working from their snapshot",
        f"{edited}: warning: 1 open ticket names people or groups (opened before snapshots) "
        f"the new playbook removes: priya.shah ({older.key}); nobody is notified in their place",
        f"{edited}: warning: 2 open tickets name customers the new playbook removes: "
        f"initech ({snapshotted.key}, {older.key}); their cards show the customer key and tier "
        "stored on them",
        f"{edited}: OK",
    ]


def test_playbook_check_says_when_it_could_not_look_at_open_tickets(tmp_path):
    env = relay_env(tmp_path, f"sqlite:///{tmp_path}/none.db")
    result = run_relay("playbook", "check", str(ROOT / "playbook.yml"), env=env)
    assert result.returncode == 0
    assert "note: open tickets not checked: there is no database file" in result.stdout
    assert result.stdout.strip().endswith(": OK")
    assert not (tmp_path / "none.db").exists()


def test_db_upgrade_says_which_revision_it_came_from(tmp_path):
    url = f"sqlite:///{tmp_path}/relay.db"
    upgrade(url, "0003")
    result = run_relay("db", "upgrade", env=relay_env(tmp_path, url))
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == f"Database upgraded to {head_revision()} (was 0003).\n"
