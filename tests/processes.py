"""Relay's Procfile processes, started for tests: the web process (gunicorn) and the clock."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import yaml

from app.playbook import load_playbook

ROOT = Path(__file__).resolve().parents[1]
PLAYBOOK = ROOT / "playbook.yml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def relay_env(sim, database_url: str, **extra) -> dict:
    return {
        **os.environ,
        "SLACK_BOT_TOKEN": sim.bot_token,
        "SLACK_API_URL": sim.api_url,
        "DATABASE_URL": database_url,
        "RELAY_PLAYBOOK": str(PLAYBOOK),
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "warning",
        **extra,
    }


def start_web(env: dict, port: int, log: Path, *, workers: int = 2) -> subprocess.Popen:
    """The Procfile's web process, in a process group of its own (see `kill_group`)."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    argv = [str(gunicorn), "--worker-class", "gthread", "--workers", str(workers)]
    argv += ["--threads", "8", "--bind", f"127.0.0.1:{port}", "app.bot:create_wsgi()"]
    with open(log, "a") as out:
        return subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def wait_healthy(proc: subprocess.Popen, port: int, log: Path, timeout: float = 30) -> str:
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as answer:
                if answer.status == 200:
                    return base
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            kill_group(proc)
            raise RuntimeError(f"web process did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)


def start_clock(env: dict, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "clock", *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the process and everything it started (gunicorn's workers too)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def playbook_without_rooms(tmp_path):
    """The shipped playbook with no war rooms or swarms, for tests of the SLA clock under
    load (war rooms add a score of Slack calls per Sev1); its path and the parsed book."""
    data = yaml.safe_load(PLAYBOOK.read_text())
    for severity in data["severities"].values():
        severity.get("actions", {}).update(war_room=False, swarm=False)
    path = tmp_path / "playbook-without-rooms.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return path, load_playbook(path)
