"""`/esc` called directly with a fake ack: ack comes first and once, the table writes help,
unknown subcommands get help, and a form is only opened for someone who may use it."""

import json

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from app.listeners.answering import SORRY, TOO_LATE
from app.listeners.commands import SUBCOMMANDS
from blocks.ids import Callback
from tests.listeners.conftest import SUPPORT, Fakes, esc, new_ticket, stored
from tests.sla.test_escalation import uid


@pytest.mark.parametrize("text", ["help", "", "  HELP  "])
def test_help_lists_every_subcommand_of_the_table(fakes, relay, people, text):
    esc(fakes, relay, people.agent, text)
    assert fakes.names() == ["ack", "respond"]
    assert fakes.of("ack") == [{}]
    [answer] = fakes.of("respond")
    assert answer["response_type"] == "ephemeral"
    for sub in SUBCOMMANDS:
        assert f"• `{sub.line}`: {sub.summary} ({sub.who})" in answer["text"]
    listed = [line for line in answer["text"].splitlines() if line.startswith("• `/esc ")]
    assert len(listed) == len(SUBCOMMANDS)


def test_unknown_subcommand_answers_with_help(fakes, relay, people):
    esc(fakes, relay, people.agent, "frobnicate ESC-1")
    assert fakes.names() == ["ack", "respond"]
    text = fakes.of("respond")[0]["text"]
    assert text.startswith("I don't know `/esc frobnicate`.")
    assert all(f"`{sub.line}`" in text for sub in SUBCOMMANDS)


def test_unknown_subcommand_is_echoed_escaped(fakes, relay, people):
    esc(fakes, relay, people.agent, "<!channel>")
    text = fakes.of("respond")[0]["text"]
    assert "`/esc &lt;!channel&gt;`" in text and "<!channel>" not in text


def test_ack_command_acknowledges(fakes, relay, people, ticket_key):
    esc(fakes, relay, people.agent, f"ack {ticket_key}")
    assert fakes.acked_first_and_once()
    assert fakes.told() == f"You acknowledged *{ticket_key}* and own it now."
    ticket = stored(relay, ticket_key)
    assert ticket.owner_id == people.agent and ticket.acknowledged_at is not None


def test_ack_command_from_an_outsider_is_refused(fakes, relay, people, ticket_key):
    esc(fakes, relay, people.outsider, f"ack {ticket_key}")
    assert fakes.acked_first_and_once()
    assert fakes.told().startswith("Only members of the Payments team")
    ticket = stored(relay, ticket_key)
    assert ticket.owner_id is None and ticket.acknowledged_at is None


@pytest.mark.parametrize(
    "text, said",
    [
        ("show", "Which ticket? Usage: `/esc show KEY`."),
        ("show nope", "`nope` is not a ticket key like ESC-42"),
        ("show ESC-999999", "ESC-999999"),
        ("list everything", "Usage: `/esc list mine|team [page]` (the page is a number from 1)."),
        ("list mine 0", "Usage: `/esc list mine|team [page]`"),
        ("sev ESC-1 7", "Severity is 1, 2, 3 or 4"),
        ("assign ESC-1 bob", "Mention the new owner"),
    ],
)
def test_mistakes_are_answered_after_ack(fakes, relay, people, text, said):
    esc(fakes, relay, people.agent, text)
    assert fakes.names() == ["ack", "respond"]
    assert said in fakes.told()


def test_new_opens_the_form_after_ack(fakes, relay, people):
    esc(fakes, relay, people.agent, "new Checkout outage")
    assert fakes.names() == ["ack", "views_open"]
    [opened] = fakes.of("views_open")
    assert opened["trigger_id"] == "1337.42.abcd"
    assert opened["view"]["callback_id"] == Callback.NEW_TICKET
    assert SUPPORT in opened["view"]["private_metadata"]


def test_escalate_opens_the_form_only_for_the_team(fakes, relay, people, ticket_key):
    esc(fakes, relay, people.outsider, f"escalate {ticket_key} customer is furious")
    assert fakes.names() == ["ack", "respond"], "no form for an outsider"
    assert fakes.told().startswith("Only members of the Payments team")
    team = type(fakes)()
    esc(team, relay, people.agent, f"escalate {ticket_key} customer is furious")
    assert team.names() == ["ack", "views_open"]
    view = team.of("views_open")[0]["view"]
    assert (
        view["callback_id"] == Callback.ESCALATE
        and json.loads(view["private_metadata"])["key"] == ticket_key
    )
    assert "customer is furious" in str(view["blocks"])
    assert stored(relay, ticket_key).tier == "L1", "opening the form changes nothing"


def test_a_failing_slack_call_is_answered_with_an_apology(fakes, relay, people):
    def broken(**kwargs):
        fakes.calls.append(("views_open", kwargs))
        raise RuntimeError("boom")

    fakes.client.views_open = broken
    esc(fakes, relay, people.agent, "new")
    assert fakes.names() == ["ack", "views_open", "respond"]
    assert "Something went wrong on Relay's side" in fakes.told()


@pytest.mark.parametrize("slack_error", ["expired_trigger_id", "exchanged_trigger_id"])
def test_a_form_slack_will_not_open_in_time_is_answered_plainly(
    fakes, relay, people, monkeypatch, slack_error
):
    """views.open refuses a trigger older than 3 seconds: the person is told to try again,
    not that Relay broke, and nothing is opened or stored."""

    def refused(**kwargs):
        fakes.calls.append(("views_open", kwargs))
        answer = SlackResponse(
            client=None,
            http_verb="POST",
            api_url="views.open",
            req_args={},
            data={"ok": False, "error": slack_error},
            headers={},
            status_code=200,
        )
        raise SlackApiError("refused", answer)

    monkeypatch.setattr(fakes.client, "views_open", refused, raising=False)
    esc(fakes, relay, people.agent, "new Checkout down")
    assert fakes.acked_first_and_once()
    assert fakes.names().count("views_open") == 1
    assert fakes.told() == TOO_LATE
    assert SORRY not in fakes.told()


def test_a_long_list_pages_and_says_how_many_there_are(relay, playbook):
    """23 open tickets: page 1 shows 20 and points to page 2, page 2 the last 3, none lost."""
    reporter = uid(playbook, "kenji.watanabe")  # named by no other test
    keys = [new_ticket(relay, title=f"Export {n} fails", reporter_id=reporter) for n in range(23)]

    def listed(text: str):
        fakes = Fakes()
        esc(fakes, relay, reporter, text)
        blocks = fakes.of("respond")[0].get("blocks") or []
        return fakes.told(), str(blocks)

    title, first = listed("list mine")
    assert title == "Your open tickets (1-20 of 23; `/esc list mine 2` for more)"
    title, second = listed("list mine 2")
    assert title == "Your open tickets (21-23 of 23)"
    assert [k for k in keys if f"*{k}*" in first] == keys[:20]  # oldest first
    assert [k for k in keys if f"*{k}*" in second] == keys[20:]
    told, _ = listed("list mine 3")
    assert told == "There are 23, on 2 page(s): `/esc list mine 2`."
