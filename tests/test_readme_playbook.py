"""The README is the playbook's contract: its small playbook loads and runs, and every field
the loader knows is documented there."""

import io
import re
import typing
from pathlib import Path

from pydantic import BaseModel

from app.playbook import load_playbook
from app.playbook.book import Playbook
from app.playground import run_playground

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def playbook_section() -> str:
    start = README.index("## The playbook")
    return README[start : README.index("\n## ", start + 1)]


def small_playbook(tmp_path: Path) -> Path:
    section = playbook_section()
    after = section.index("### A complete small playbook")
    match = re.search(r"```yaml\n(.*?)```", section[after:], re.S)
    assert match, "the README's small playbook is not a ```yaml block"
    path = tmp_path / "small.yml"
    path.write_text(match.group(1))
    return path


def model_fields(model: type[BaseModel], seen: set) -> set[str]:
    names = set()
    for name, field in model.model_fields.items():
        names.add(name)
        for inner in _models_in(field.annotation):
            if inner not in seen:
                seen.add(inner)
                names |= model_fields(inner, seen)
    return names


def _models_in(annotation) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def test_the_readme_small_playbook_is_valid_and_uses_every_section(tmp_path):
    book = load_playbook(small_playbook(tmp_path))
    assert set(book.severities) == {"sev1", "sev2", "sev3", "sev4"}
    assert book.reporting is not None and book.teams["web"].queue_channel_name == "esc-web"


def test_every_playbook_field_is_named_in_the_readme():
    section = playbook_section()
    missing = sorted(
        name for name in model_fields(Playbook, set()) if not re.search(rf"\b{name}\b", section)
    )
    assert not missing, f"playbook fields the README's playbook section does not name: {missing}"


def test_relay_runs_a_ticket_through_with_the_readme_small_playbook(tmp_path):
    script = """\
as ana.silva
/esc new Checkout is slow for some users
fill description=Pages take 20 seconds impact=Some customers wait
submit team=web escalation_type=technical customer=small-co
as carla.diaz
click ticket_ack ESC-1
/esc resolve ESC-1 Cache warmed again
submit root_cause=Configuration change
quit
"""
    out = io.StringIO()
    book = str(small_playbook(tmp_path))
    assert run_playground(playbook=book, out=out, stream=io.StringIO(script)) == 0
    text = out.getvalue()
    assert "Traceback" not in text and "\n! " not in text
    # the classification rule for team web made it a Sev2: a card, a swarm, a page
    assert re.search(r"#esc-web sees a message:\s+ESC-1 Checkout is slow", text)
    assert "Relay creates #swarm-esc-1-checkout-is-slow-for-some-users" in text
    assert "Ben Okoro gets a DM from Relay: 🚨 You are paged: ESC-1 Sev2 (Web L1)" in text
    assert "#esc-web sees a message (thread): Acknowledged by @Carla Diaz." in text
    assert re.search(r"#esc-web sees a message \(thread\):.*ESC-1 resolved: Cache warmed", text)
