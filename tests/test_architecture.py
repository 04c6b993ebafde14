"""The shape of the code: domain stays pure, blocks stay pure, manifest and listeners agree."""

import ast
from pathlib import Path

import pytest
import yaml

from blocks.ids import Command, Shortcut

ROOT = Path(__file__).resolve().parents[1]
EDGES = {"bot", "startup", "cli", "clock", "changes", "runtime", "logs", "settings"}
EDGE_PACKAGES = {"listeners", "simulator", "drills", "effects"}
DOMAIN_FORBIDDEN = ("slack_bolt", "slack_sdk", "blocks", "apscheduler")
BLOCKS_FORBIDDEN = ("slack_bolt", "slack_sdk.web", "app.db", "app.effects", "app.runtime")


def modules(folder: str):
    for path in sorted((ROOT / folder).rglob("*.py")):
        rel = path.relative_to(ROOT / folder)
        yield rel, ast.parse(path.read_text(), filename=str(path))


def imported(tree) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def domain_modules():
    for rel, tree in modules("app"):
        if rel.parts[0] in EDGE_PACKAGES or rel.stem in EDGES:
            continue
        yield rel, tree


def test_domain_is_known():
    names = {str(rel) for rel, _ in domain_modules()}
    assert {"tickets/intake.py", "models/tickets.py", "sla/escalation.py", "deadlines.py"} <= names


@pytest.mark.parametrize("rel, tree", list(domain_modules()), ids=lambda v: str(v))
def test_domain_imports_no_edges_and_never_reads_the_clock(rel, tree):
    bad = [n for n in imported(tree) if n.split(".")[0] in DOMAIN_FORBIDDEN]
    assert bad == [], f"app/{rel} imports {bad}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("now", "utcnow", "today"):
            value = node.value
            name = getattr(value, "id", getattr(value, "attr", ""))
            assert name not in ("datetime", "date"), f"app/{rel}:{node.lineno} reads the clock"


@pytest.mark.parametrize("rel, tree", list(modules("blocks")), ids=lambda v: str(v))
def test_blocks_touch_no_session_or_client(rel, tree):
    bad = [n for n in imported(tree) if n.startswith(BLOCKS_FORBIDDEN)]
    assert bad == [], f"blocks/{rel} imports {bad}"


def registered(kind: str) -> set[str]:
    """Arguments of @app.<kind>(...) decorators in app/listeners, resolved to strings."""
    enums = {"Command": Command, "Shortcut": Shortcut}
    found = set()
    for _, tree in modules("app/listeners"):
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr != kind or not node.args:
                continue
            arg = node.args[0]
            if isinstance(arg, ast.Constant):
                found.add(arg.value)
            elif isinstance(arg, ast.Attribute) and getattr(arg.value, "id", None) in enums:
                found.add(enums[arg.value.id][arg.attr].value)
    return found


def test_manifest_and_listeners_agree():
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    features = manifest["features"]
    commands = {c["command"] for c in features["slash_commands"]}
    shortcuts = {s["callback_id"] for s in features["shortcuts"]}
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert commands == registered("command") == {c.value for c in Command}
    assert shortcuts == registered("shortcut") == {s.value for s in Shortcut}
    assert events == registered("event")
