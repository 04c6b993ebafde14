"""The web bench starts Relay from the Procfile's `web:` line and can be asked for its help;
it measures, so it is run by `make bench`, not here."""

import subprocess
import sys
from pathlib import Path

from app.cli import WEB_MALLOC
from bench.figures import ROWS, table
from bench.servers import BARE_APP, procfile_web

ROOT = Path(__file__).resolve().parents[1]


def test_the_web_command_is_the_procfile_line_with_the_settings_filled_in(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.setenv("WEB_THREADS", "8")
    monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    env, argv = procfile_web(4321)
    assert env == {"GLIBC_TUNABLES": WEB_MALLOC}  # as `relay web` sets it
    line = (ROOT / "Procfile").read_text().split("web:", 1)[1].split()
    assert line[0] == "env"  # a runner that splits the line without a shell can start it too
    assert Path(argv[0]).name == "gunicorn" and Path(argv[0]).parent == Path(sys.executable).parent
    assert argv[1:] == [
        "--worker-class",
        "gthread",
        "--workers",
        "2",
        "--threads",
        "8",
        "--bind",
        "0.0.0.0:4321",
        "app.bot:create_wsgi()",
    ]
    assert procfile_web(4321, BARE_APP)[1][-1] == "bench.bare_app:create_wsgi()"


def test_figures_are_median_and_spread_side_by_side():
    keys = tuple(key for key, _, _ in ROWS)
    runs = [
        {"Relay": dict.fromkeys(keys, r), "bare": dict.fromkeys(keys, 10.0)} for r in (20, 30, 25)
    ]
    line = table(runs)[1]
    assert "25 (20–30)" in line and "10" in line and "2.5 (2–3)×" in line


def test_web_bench_help():
    done = subprocess.run(
        [sys.executable, "bench/web.py", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "--quick" in done.stdout and "--database-url" in done.stdout


def test_war_room_bench_help():
    done = subprocess.run(
        [sys.executable, "bench/war_room.py", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "--burst" in done.stdout and "--runs" in done.stdout
