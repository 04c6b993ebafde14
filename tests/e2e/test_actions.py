"""Acknowledge, assign, show, list, help and errors through signed requests."""

import pytest
from slack_sdk import WebClient

from tests.e2e.test_intake import card, open_via_command


@pytest.fixture
def ticket(web, sim, ws, sessions):
    _, opened = open_via_command(sim, ws, sessions, ws.users["tom.hughes"], "Refunds failing")
    return opened


def answers(sim, user, needle, kinds=("response", "ephemeral"), count=1):
    """The answers to `user` containing `needle`, once there are at least `count`."""

    def found():
        seen = [o for o in sim.seen_by(user) if o.kind in kinds and needle in (o.text or "")]
        return seen if len(seen) >= count else None

    return sim.wait_for(found, what=f"{count} answer(s) containing {needle!r}")


def test_ack_button_updates_card_in_place_and_threads_a_notice(ticket, sim, ws, sessions):
    l1 = ws.users["amara.okafor"]
    sim.click(l1, "ticket_ack", channel_id=ticket.card_channel, ts=ticket.card_ts)
    answers(sim, l1, f"You acknowledged *{ticket.key}*")
    sim.wait_for(lambda: card(sessions, ticket.key).owner_id == l1, what="owner set")
    sim.settle()
    message = sim.message(ticket.card_channel, ticket.card_ts)
    assert "Acknowledged" in str(message["blocks"]) and f"<@{l1}>" in str(message["blocks"])
    assert "ticket_ack" not in str(message["blocks"]), "the button goes once acknowledged"
    replies = [m for m in sim.messages(ticket.card_channel) if m.get("thread_ts") == ticket.card_ts]
    assert any(f"Acknowledged by <@{l1}>" in m["text"] for m in replies)
    sim.slash_command(l1, ws.channels["support"], f"ack {ticket.key}")
    answers(sim, l1, "was already acknowledged")


def test_outsider_is_refused_and_nothing_changes(ticket, sim, ws, sessions):
    outsider = ws.users["wei.lim"]  # Identity team, invited into the Payments queue channel
    client = WebClient(token=sim.bot_token, base_url=sim.api_url)
    client.conversations_invite(channel=ticket.card_channel, users=outsider)
    sim.slash_command(outsider, ws.channels["support"], f"ack {ticket.key}")
    answers(sim, outsider, "Only members of the Payments team")
    sim.click(outsider, "ticket_ack", channel_id=ticket.card_channel, ts=ticket.card_ts)
    assert len(answers(sim, outsider, "Only members of the Payments team", count=2)) == 2
    assert card(sessions, ticket.key).acknowledged_at is None


def test_assign_by_select_and_by_command(ticket, sim, ws, sessions):
    lead, l2 = ws.users["james.whitfield"], ws.users["priya.shah"]
    sim.click(
        lead, "ticket_assign", channel_id=ticket.card_channel, ts=ticket.card_ts, selected_user=l2
    )
    answers(sim, lead, f"now belongs to <@{l2}>")
    assert card(sessions, ticket.key).owner_id == l2
    l3 = ws.users["sofia.marin"]
    sim.slash_command(lead, ws.channels["support"], f"assign {ticket.key} <@{l3}|sofia>")
    answers(sim, lead, f"now belongs to <@{l3}>")
    sim.settle()
    assert f"<@{l3}>" in str(sim.message(ticket.card_channel, ticket.card_ts)["blocks"])
    sim.slash_command(lead, ws.channels["support"], f"assign {ticket.key} <@{ws.users['dana']}>")
    answers(sim, lead, "is not on the Payments team")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", "/esc new [title]"),
        ("help", "/esc list mine"),
        ("frobnicate", "I don't know `/esc frobnicate`"),
        ("show", "Which ticket? Usage: `/esc show KEY`"),
        ("show ESC-99999", "There is no ticket ESC-99999"),
        ("show <!channel>", "is not a ticket key"),
        ("assign ESC-1", "Mention the new owner"),
        ("help", "/esc reopen KEY"),
        ("reopen", "Which ticket? Usage: `/esc reopen KEY`"),
        ("reopen ESC-99999", "There is no ticket ESC-99999"),
        ("list everything", "Usage: `/esc list mine|team [page]`"),
    ],
)
def test_clear_answers_never_a_stack_trace(web, sim, ws, text, expected):
    user = ws.users["hana.tan"]
    sim.slash_command(user, ws.channels["support"], text)
    found = answers(sim, user, expected)
    assert "Traceback" not in found[-1].text
    assert "<!channel>" not in found[-1].text


def listed_somewhere(sim, ws, user, which: str, title: str, key: str) -> bool:
    """Whether `/esc list WHICH [page]` shows `key` on one of its pages (tickets from earlier
    tests in this session fill more than one page)."""

    def said_so_far() -> int:
        return sum(1 for o in sim.seen_by(user) if o.kind == "response" and title in (o.text or ""))

    for page in range(1, 30):
        before = said_so_far()
        sim.slash_command(user, ws.channels["support"], f"list {which} {page}")
        said = answers(sim, user, title, kinds=("response",), count=before + 1)[-1]
        if key in str(said.blocks):
            return True
        if "for more" not in said.text:
            return False
    return False


def test_show_and_list(ticket, sim, ws):
    reporter = ws.users["tom.hughes"]
    sim.slash_command(reporter, ws.channels["support"], f"show {ticket.key}")
    shown = answers(sim, reporter, f"*{ticket.key}* ·", kinds=("response",))
    assert "Refunds failing" in str(shown[-1].blocks)
    assert listed_somewhere(sim, ws, reporter, "mine", "Your open tickets", ticket.key)
    priya = ws.users["priya.shah"]
    assert listed_somewhere(sim, ws, priya, "team", "Open tickets of Payments", ticket.key)


def test_app_home_lists_my_tickets(ticket, sim, ws):
    reporter = ws.users["tom.hughes"]
    sim.open_app_home(reporter)
    home = sim.wait_for(lambda: sim.home_of(reporter), what="App Home published")
    assert ticket.key in str(home["blocks"])
