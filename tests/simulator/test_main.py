"""`python -m app.simulator` runs standalone and serves the Web API."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from slack_sdk import WebClient

ROOT = Path(__file__).resolve().parents[2]


def test_standalone_server_prints_url_and_token():
    command = [
        sys.executable,
        "-m",
        "app.simulator",
        "--port",
        "0",
        "--signing-secret",
        "X",
        "--request-url",
        "http://127.0.0.1:9/slack/events",
        "--user",
        "alice",
    ]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        api_url = process.stdout.readline().strip().removeprefix("api_url=")
        token = process.stdout.readline().strip().removeprefix("bot_token=")
        assert api_url.startswith("http://127.0.0.1:") and token.startswith("xoxb-")
        assert WebClient(token=token, base_url=api_url).auth_test()["ok"]
    finally:
        process.terminate()
        process.wait(timeout=5)
