"""Start-up as a newcomer meets it, through the real `relay` entry point: what stops Relay is
one line (or one message) naming the fix, once; gunicorn stops for good instead of
rebooting workers that fail the same way."""

import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.cli import WEB_MALLOC
from app.db import upgrade
from app.settings import EXAMPLE_VALUES
from app.simulator import SlackSimulator
from tests.processes import free_port, kill_group, wait_healthy

ROOT = Path(__file__).resolve().parents[1]
RELAY = Path(sys.executable).with_name("relay")  # the console script, as `.venv/bin/relay`
BARE_PATH = "/usr/bin:/bin"  # no virtualenv on PATH


def relay(*args, env, cwd=ROOT, timeout=60):
    return subprocess.run(
        [str(RELAY), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def env_for(tmp_path, **values):
    return {
        "PATH": BARE_PATH,
        "HOME": str(tmp_path),
        "RELAY_PLAYBOOK": str(ROOT / "playbook.yml"),
        "DATABASE_URL": f"sqlite:///{tmp_path}/relay.db",
        **values,
    }


def one_line(result) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_web_with_tokens_missing_says_so_once_and_exits(tmp_path):
    result = relay("web", env=env_for(tmp_path))
    assert result.returncode != 0
    assert result.stderr.count("SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET not set") == 1
    assert "Traceback" not in result.stderr and "gunicorn" not in result.stderr


def test_procfile_web_stops_for_good_when_relay_cannot_start(tmp_path):
    """The Procfile runs gunicorn itself: a worker that cannot start exits with gunicorn's
    WORKER_BOOT_ERROR and the arbiter halts, instead of booting workers forever."""
    log = tmp_path / "web.log"
    argv = [sys.executable, "-m", "gunicorn", "--worker-class", "gthread", "--workers", "2"]
    argv += ["--bind", f"127.0.0.1:{free_port()}", "app.bot:create_wsgi()"]
    with open(log, "w") as out:
        proc = subprocess.Popen(
            argv, cwd=tmp_path, env=env_for(tmp_path), stdout=out, stderr=subprocess.STDOUT
        )
        try:
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                kill_group(proc)
    text = log.read_text()
    assert proc.returncode != 0
    assert "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET not set" in text
    assert 1 <= text.count("Booting worker") <= 2, text  # never a second round
    assert "Worker failed to boot." in text  # the arbiter's reason for halting
    assert "app/bot.py" not in text  # Relay's refusal is its message, not a traceback


def test_relay_web_serves_without_the_virtualenv_on_path_and_without_bolt_warnings(tmp_path):
    db = f"sqlite:///{tmp_path}/relay.db"
    upgrade(db)
    port, log = free_port(), tmp_path / "web.log"
    with SlackSimulator(signing_secret="s") as sim:
        env = env_for(tmp_path, DATABASE_URL=db, SLACK_API_URL=sim.api_url)
        env |= {"SLACK_BOT_TOKEN": sim.bot_token, "SLACK_SIGNING_SECRET": "s"}
        argv = [str(RELAY), "web", "--port", str(port), "--workers", "1", "--threads", "2"]
        with open(log, "w") as out:
            proc = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_healthy(proc, port, log)
            environ = Path(f"/proc/{proc.pid}/environ").read_bytes()
        finally:
            kill_group(proc)
    # gunicorn has the Procfile web line's malloc settings (glibc may cut them at ":" in place)
    assert b"GLIBC_TUNABLES=" in environ
    assert all(tunable.encode() in environ for tunable in WEB_MALLOC.split(":"))
    text = log.read_text()
    assert "FileNotFoundError" not in text
    assert "`token` will be unused" not in text


def test_a_copied_env_example_names_the_placeholders(tmp_path):
    (tmp_path / ".env").write_text((ROOT / ".env.example").read_text())
    env = {"PATH": BARE_PATH, "HOME": str(tmp_path), "RELAY_PLAYBOOK": str(ROOT / "playbook.yml")}
    for command, names in [
        (["web"], "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET"),
        (["run"], "SLACK_BOT_TOKEN and SLACK_APP_TOKEN"),
        (["clock", "--once"], "SLACK_BOT_TOKEN"),
    ]:
        result = relay(*command, env=env, cwd=tmp_path)
        assert result.returncode != 0
        verb = "are still the example values" if " and " in names else "is still the example value"
        assert f"Relay cannot start: {names} {verb} from .env.example." in result.stderr
        assert "Traceback" not in result.stderr and "invalid_auth" not in result.stderr


def test_the_example_values_are_the_ones_env_example_ships():
    lines = (ROOT / ".env.example").read_text().splitlines()
    shipped = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
    assert {name: shipped[name] for name in EXAMPLE_VALUES} == EXAMPLE_VALUES


@pytest.mark.parametrize("command", [["web", "--port", "9"], ["clock", "--once"], ["run"]])
def test_a_token_slack_refuses_is_one_line(tmp_path, command):
    with SlackSimulator(signing_secret="s") as sim:
        api_url = sim.api_url
        env = env_for(tmp_path, SLACK_API_URL=api_url)
        env |= {"SLACK_BOT_TOKEN": "xoxb-not-this-workspace", "SLACK_SIGNING_SECRET": "s"}
        result = relay(*command, env=env | {"SLACK_APP_TOKEN": "xapp-1"})
    assert result.returncode != 0
    line = one_line(result)
    assert f"Slack answered invalid_auth to auth.test at {api_url}" in line
    assert "SLACK_BOT_TOKEN" in line and "OAuth & Permissions" in line


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("not a url", "DATABASE_URL is not a database URL: set it to sqlite:///relay.db or"),
        ("postgresql+psycopg://u:secret@h:port/x", "DATABASE_URL is not a database URL"),
        ("mysql://u@h/x", "DATABASE_URL names a mysql database"),
        ("sqlite:///{tmp}/no/such/folder/relay.db", "mkdir -p {tmp}/no/such/folder"),
    ],
)
def test_a_database_url_that_cannot_work_is_one_line_with_the_fix(tmp_path, url, says):
    url, says = url.format(tmp=tmp_path), says.format(tmp=tmp_path)
    env = env_for(tmp_path, DATABASE_URL=url, SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s")
    for command in (["web"], ["clock", "--once"], ["db", "upgrade"], ["db", "current"]):
        result = relay(*command, env=env)
        assert result.returncode != 0, command
        line = one_line(result)
        assert says in line, (command, line)
        assert "secret" not in line
    assert not (tmp_path / "no").exists()


def test_clock_once_says_what_it_did(tmp_path):
    with SlackSimulator(signing_secret="s") as sim:
        env = env_for(tmp_path, SLACK_API_URL=sim.api_url, SLACK_BOT_TOKEN=sim.bot_token)
        result = relay("clock", "--once", env=env | {"LOG_LEVEL": "warning"})
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "Clock tick: 0 tickets acted on, 0 events, 0 Slack calls sent.\n"


# -- the CLI explains itself -------------------------------------------------------------------

COMMANDS = [
    ["run"],
    ["web"],
    ["clock"],
    ["db", "upgrade"],
    ["db", "current"],
    ["playbook", "check"],
    ["drill"],
    ["simulator"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_says_what_it_does_and_what_it_reads(tmp_path, command):
    result = relay(*command, "--help", env=env_for(tmp_path))
    assert result.returncode == 0, result.stderr
    description = result.stdout.split("\n\n")[1]
    assert len(description.split()) >= 5, result.stdout
    assert "Reads: " in result.stdout


def test_drill_help_lists_the_shipped_scenarios(tmp_path):
    from app.drills.scenario import SCENARIOS

    shipped = sorted(path.stem for path in SCENARIOS.glob("*.yml"))
    assert shipped
    result = relay("drill", "--help", env=env_for(tmp_path))
    assert f"shipped scenarios: {', '.join(shipped)}" in result.stdout


def test_relay_simulator_takes_the_options_of_python_m_app_simulator(tmp_path):
    def options(text: str) -> set[str]:
        return {word.strip(",[]") for word in text.split() if word.strip("[,").startswith("--")}

    relayed = relay("simulator", "--help", env=env_for(tmp_path)).stdout
    module = subprocess.run(
        [sys.executable, "-m", "app.simulator", "--help"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    assert options(relayed) == options(module)
    assert {"--port", "--signing-secret", "--request-url", "--user", "--channel"} <= options(module)


def test_relay_simulator_serves_and_prints_what_to_point_relay_at(tmp_path):
    port = free_port()
    proc = subprocess.Popen(
        [str(RELAY), "simulator", "--port", str(port), "--user", "ann"],
        env=env_for(tmp_path),
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        first = proc.stdout.readline()
    finally:
        kill_group(proc)
    assert first.strip() == f"api_url=http://127.0.0.1:{port}/api/"


def test_clock_once_counts_what_it_acted_on(tmp_path):
    """A Sev1 (24x7) opened two hours ago: its response breach is due, one tick acts on it."""
    from app import changes
    from app.db import make_engine, make_sessionmaker
    from app.drills.workspace import seed_workspace
    from app.playbook import load_playbook
    from tests.sla.test_escalation import open_sev3

    url, playbook = f"sqlite:///{tmp_path}/relay.db", load_playbook(ROOT / "playbook.yml")
    upgrade(url)
    engine = make_engine(url)
    opened = datetime.now(UTC) - timedelta(hours=2)
    with make_sessionmaker(engine)() as db, db.begin():
        ticket = open_sev3(db, playbook, now=opened, title="Checkout outage", impact="all users")
        assert ticket.severity == 1
        changes.record_opening(db, playbook, ticket, now=opened)
    engine.dispose()
    with SlackSimulator(signing_secret="s") as sim:
        seed_workspace(sim, playbook)  # the queue channel and the people the notices go to
        env = env_for(tmp_path, SLACK_API_URL=sim.api_url, SLACK_BOT_TOKEN=sim.bot_token)
        result = relay("clock", "--once", env=env | {"LOG_LEVEL": "warning"})
        sim.settle()
        calls = [call for call in sim.calls if call.method != "auth.test"]
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(
        r"Clock tick: 1 ticket acted on, [1-9]\d* events?, [1-9]\d* Slack calls? sent\.\n",
        result.stdout,
    ), result.stdout
    assert calls
