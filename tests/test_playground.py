"""`relay try`: a newcomer clicks through Relay with no Slack workspace, by typing lines."""

import io
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from app.models import TimelineEvent
from app.playground import Playground, run_playground

ROOT = Path(__file__).resolve().parents[1]


def play(script: str) -> str:
    out = io.StringIO()
    assert run_playground(out=out, stream=io.StringIO(script)) == 0
    return out.getvalue()


def shows(lines: list[str], text: str) -> bool:
    """Whether the lines show `text`; a card printed as a block reads as one line here."""
    return text in " ".join(line.strip() for line in lines)


def answers(output: str) -> dict[str, list[str]]:
    """The lines printed after each echoed command, by command (a repeated command: `#2`)."""
    found: dict[str, list[str]] = {}
    current = None
    for line in output.splitlines():
        if line.startswith("> "):
            current = line[2:]
            while current in found:
                current += "#2"
            found[current] = []
        elif current is not None:
            found[current].append(line)
    return found


def test_relay_try_reads_a_piped_script_and_shows_what_everyone_saw():
    script = """\
/esc new Checkout down
fill description=Card payments fail at checkout impact=No customer can pay
submit team=payments escalation_type=technical
as priya.shah
click ticket_ack ESC-1
quit
"""
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "try"],
        input=script,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    said = answers(result.stdout)
    assert shows(
        said["/esc new Checkout down"],
        "Amara Okafor sees the modal “New escalation” open: Title: “Checkout down”",
    )
    submitted = said["submit team=payments escalation_type=technical"]
    assert shows(submitted, "· #esc-payments sees a message: ESC-1 Checkout down")
    assert shows(submitted, "Amara Okafor sees, only to them in #support: Opened ESC-1")
    acked = said["click ticket_ack ESC-1"]
    assert shows(acked, "#esc-payments sees a message (thread): Acknowledged by @Priya Shah")
    assert shows(acked, "Priya Shah sees, only to them: You acknowledged ESC-1")


def test_bad_input_gets_one_line_each_and_the_session_goes_on():
    output = play(
        """\
dance
as nobody.here
submit
form
fill title=x
click ticket_ack ESC-9
click
wait forever
channel #nowhere
/esc new Checkout down
fill colour=blue
submit team=no-such-team
help
"""
    )
    said = answers(output)
    assert said["dance"] == ["  ! unknown command 'dance'; type `help` for the list"]
    assert said["as nobody.here"] == [
        "  ! nobody called 'nobody.here'; `people` lists who you can be"
    ]
    for command in ("submit", "form", "fill title=x"):
        assert said[command] == ["  ! Amara Okafor has no open modal (`/esc new TITLE` opens one)"]
    assert said["click ticket_ack ESC-9"] == ["  ! ESC-9 has no card yet"]
    assert said["click"][0].startswith("  ! write `click ACTION KEY`")
    assert said["wait forever"][0].startswith("  ! write how long")
    assert said["channel #nowhere"] == ["  ! unknown channel #nowhere"]
    assert said["fill colour=blue"] == ["  ! the modal has no field 'colour'; `form` lists them"]
    assert said["submit team=no-such-team"] == [
        "  Filled: team=no-such-team",
        "  ! team: no option with value 'no-such-team'",
    ]
    assert "click ticket_ack ESC-1" in "\n".join(said["help"])
    assert "Traceback" not in output


def test_form_and_buttons_list_what_there_is():
    said = answers(
        play(
            """\
people
buttons
/esc new Checkout down
form
submit description=Fails impact=Nobody can pay team=payments escalation_type=technical
buttons
"""
        )
    )
    assert " * amara.okafor         Amara Okafor" in said["people"]
    assert said["buttons"] == ["  Nothing to click yet: open a ticket first."]
    form = "\n".join(said["form"])
    assert "Modal “New escalation”" in form
    assert "team                 Team: payments | platform | identity" in form
    assert "severity             Severity, optional: 1 | 2 | 3 | 4" in form
    assert said["buttons#2"] == [
        "  click ticket_ack ESC-1         Acknowledge (card in #esc-payments)",
        "  click ticket_escalate ESC-1    Escalate (card in #esc-payments)",
        "  click ticket_severity ESC-1    Change severity (card in #esc-payments)",
        "  click ticket_assign ESC-1      Assign (card in #esc-payments)",
        "  click ticket_update ESC-1      Post update (card in #esc-payments)",
        "  click ticket_resolve ESC-1     Resolve (card in #esc-payments)",
    ]


def test_wait_runs_the_clock_and_a_dm_button_can_be_clicked():
    said = answers(
        play(
            """\
/esc new Refund export fails
submit description=Export fails impact=Exports by hand team=payments escalation_type=technical
wait 4h
as priya.shah
buttons
click handoff_accept
click ticket_assign ESC-1 tom.hughes
"""
        )
    )
    waited = "\n".join(said["wait 4h"])
    assert "Response target breached" in waited
    assert "Priya Shah gets a DM from Relay: ESC-1 (Sev3, Payments L2) is handed to you" in waited
    assert "[13:00:00] 4h later (Relay's clock ticked every scenario minute)" in waited
    assert "  click handoff_accept           Accept (your DM from Relay)" in said["buttons"]
    assert any("accepted and owns ESC-1 at L2" in line for line in said["click handoff_accept"])
    assigned = "\n".join(said["click ticket_assign ESC-1 tom.hughes"])
    assert "Assigned to @Tom Hughes by @Priya Shah" in assigned


def test_a_modal_with_errors_stays_open_with_what_was_filled():
    said = answers(
        play(
            """\
/esc new Checkout down
submit team=payments
submit description=Fails impact=None can pay escalation_type=technical
"""
        )
    )
    first = said["submit team=payments"]
    assert shows(first, "the modal shows: Description: Please fill this in.")
    assert first[-1] == (
        "  The modal is still open with your values: fix them with `fill`, then `submit`."
    )
    second = said["submit description=Fails impact=None can pay escalation_type=technical"]
    assert second[0] == (
        "  Filled: team=payments, description=Fails, impact=None can pay, escalation_type=technical"
    )
    assert shows(second, "#esc-payments sees a message: ESC-1 Checkout down")


def test_a_message_posted_in_a_war_room_and_pinned_with_a_reaction_is_captured():
    out = io.StringIO()
    playground = Playground(out)
    try:
        playground.run(
            io.StringIO("""\
as helen.carter
/esc new Checkout down
submit description=Card payments fail impact=Nobody can pay team=payments escalation_type=technical
channel room:ESC-1
post The 10:02 deploy broke the card form
react pushpin
react
"""),
            echo=True,
        )
        with playground.drill.relay.sessions() as db:
            captured = db.scalars(
                select(TimelineEvent).where(TimelineEvent.kind == "pin.captured")
            ).all()
    finally:
        playground.close()
    said = answers(out.getvalue())
    assert said["channel room:ESC-1"] == ["  Your commands now run in #inc-esc-1-checkout-down."]
    assert shows(
        said["post The 10:02 deploy broke the card form"],
        "#inc-esc-1-checkout-down sees a message: The 10:02 deploy broke the card form",
    )
    assert shows(said["react pushpin"], "reacts in #inc-esc-1-checkout-down: 📌")
    assert said["react"] == ["  ! write an emoji name, e.g. `react pushpin`"]
    assert [e.after["text"] for e in captured] == ["The 10:02 deploy broke the card form"]
