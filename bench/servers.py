"""The web bench's processes: the simulator, gunicorn serving Relay (from the Procfile's
`web:` line) or bare Bolt (the same line, another app), and what /proc says about them."""

import json
import os
import shlex
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RELAY_APP = "'app.bot:create_wsgi()'"
BARE_APP = "'bench.bare_app:create_wsgi()'"
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def procfile_web(port: int, app: str = RELAY_APP) -> tuple[dict[str, str], list[str]]:
    """The Procfile's `web:` line with $PORT and the ${NAME:-default} settings filled in (from
    the environment, else the default), serving `app` instead of Relay if asked: the
    variables it sets before its command (`env NAME=value ...`) and the command."""
    line = next(
        line.split(":", 1)[1]
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line.startswith("web:")
    )
    if RELAY_APP not in line:
        raise SystemExit(f"the Procfile's web line no longer serves {RELAY_APP}: {line}")
    line = line.replace(RELAY_APP, app).replace("$PORT", str(port))
    while "${" in line:
        start = line.index("${")
        end = line.index("}", start)
        name, _, default = line[start + 2 : end].partition(":-")
        line = line[:start] + os.environ.get(name, default) + line[end + 1 :]
    argv = shlex.split(line)
    if argv[0] == "env":  # (so that the line also runs where no shell reads it)
        argv.pop(0)
    env = {}
    while "=" in argv[0] and argv[0].split("=", 1)[0].isidentifier():
        name, value = argv.pop(0).split("=", 1)
        env[name] = value
    if argv[0] == "gunicorn":  # the virtualenv's, as `relay web` runs it
        argv[0] = str(Path(sys.executable).with_name("gunicorn"))
    return env, argv


@contextmanager
def simulator(secret: str, latency_ms: float, guests: int):
    """bench/sim_process.py; yields its JSON hello (api_url, bot_token, control_url, ...)."""
    argv = [sys.executable, str(ROOT / "bench" / "sim_process.py"), "--signing-secret", secret]
    argv += ["--latency-ms", str(latency_ms), "--guests", str(guests)]
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("the simulator process did not start")
        yield {**json.loads(line), "pid": proc.pid}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


class Web:
    """A gunicorn master and its workers."""

    def __init__(self, name: str, proc: subprocess.Popen, url: str, log) -> None:
        self.name, self.proc, self.url, self.log = name, proc, url, log
        self.served = 0  # requests the bench has sent it

    def workers(self) -> list[int]:
        found = []
        for task in Path(f"/proc/{self.proc.pid}/task").glob("*/children"):
            found += [int(pid) for pid in task.read_text().split()]
        return sorted(found)

    def cpu_seconds(self) -> float:
        """utime + stime of the master and its workers so far."""
        total = 0
        for pid in [self.proc.pid, *self.workers()]:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        return total / TICKS

    def memory_mb(self, field: str = "VmRSS") -> list[float]:
        """VmRSS (or VmHWM, the peak) of each worker, in MB."""
        found = []
        for pid in self.workers():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith(field + ":"):
                    found.append(int(line.split()[1]) / 1024)
        return found


@contextmanager
def gunicorn(*apps: tuple[str, str], env: dict, workers: int):
    """Serve each (name, app) with the Procfile's web command, all started at once; yields
    their Web objects once every worker of each has booted."""
    with ExitStack() as stack:
        webs = []
        for name, app in apps:
            port = free_port()
            log = stack.enter_context(tempfile.TemporaryFile())
            line_env, argv = procfile_web(port, app)
            proc = subprocess.Popen(
                argv,
                cwd=ROOT,
                env={**os.environ, **env, **line_env, "PORT": str(port), "PYTHONPATH": str(ROOT)},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            stack.callback(stop, proc)
            webs.append(Web(name, proc, f"http://127.0.0.1:{port}/slack/events", log))
        for web in webs:
            wait_ready(web, workers)
        yield webs


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(timeout=20)


def wait_ready(web: Web, workers: int, timeout: float = 60) -> None:
    """Until every worker has booted and one answers (any HTTP answer means it serves)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if web.proc.poll() is not None:
            break
        try:
            urllib.request.urlopen(web.url, timeout=1)
        except urllib.error.HTTPError:
            if len(web.workers()) >= workers:
                time.sleep(1.0)  # the last worker forked; let it finish importing the app
                return
        except OSError:
            pass
        time.sleep(0.2)
    web.log.seek(0)
    tail = web.log.read().decode(errors="replace")[-2000:]
    raise SystemExit(f"{web.name} did not start:\n{tail}")
