"""Start the simulator in this process and the real `web` process (gunicorn) against it."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.drills.workspace import seed_workspace
from app.models import OutboxMessage, OutboxStatus
from app.simulator import SlackSimulator
from tests.conftest import PLAYBOOK

SECRET = "e2e-signing-secret-0123456789abcdef"
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def sim():
    with SlackSimulator(signing_secret=SECRET) as sim:
        yield sim


@pytest.fixture(scope="session")
def ws(sim, playbook):
    scenario = {"guests": {"dana": {"name": "Dana (Acme)"}}, "channels": {"support": {}}}
    return seed_workspace(sim, playbook, scenario)


@pytest.fixture(scope="session")
def web(sim, ws, database_url, tmp_path_factory):
    """The Procfile's web process: gunicorn serving app.bot:create_wsgi() on a free port."""
    port = free_port()
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": sim.bot_token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": sim.api_url,
        "DATABASE_URL": database_url,
        "RELAY_PLAYBOOK": str(PLAYBOOK),
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "warning",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = tmp_path_factory.mktemp("web") / "web.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [
                str(gunicorn),
                "--worker-class",
                "gthread",
                "--workers",
                "2",
                "--threads",
                "8",
                "--bind",
                f"127.0.0.1:{port}",
                "app.bot:create_wsgi()",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"web process did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)
    # Each worker's Bolt app checks its token once as it boots: wait for both, so a test's
    # "no Slack calls happened" is not upset by the second worker starting late.
    sim.wait_for(
        lambda: sum(c.method == "auth.test" for c in sim.calls) >= 2,
        timeout=30,
        what="both web workers to boot",
    )
    sim.connect(base + "/slack/events")
    yield base
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session", autouse=True)
def settled_means_sent(sim, sessions):
    """`sim.settle()` also waits for what Relay committed and has yet to send (the web
    process sends it from a courier thread, after the request's answer)."""

    def busy() -> bool:
        """Rows committed in the last few seconds that nobody has tried to send yet (what
        a fault left pending is the clock's, and no clock runs here)."""
        now = datetime.now(UTC)
        with sessions() as db:
            fresh = select(OutboxMessage.id).where(
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.attempts == 0,
                OutboxMessage.created_at >= now - timedelta(seconds=3),
                OutboxMessage.next_attempt_at <= now,
            )
            return db.scalar(fresh.limit(1)) is not None

    sim.app_busy = busy
    yield
    sim.app_busy = None


@pytest.fixture(autouse=True)
def no_modal_left_open(sim):
    """A test starts with nobody's modal open: a form an earlier test left open would be
    taken for the one a command opens after its ack, if that one is still on its way."""
    sim.close_modals()
