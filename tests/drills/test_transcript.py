"""The drill transcript reads like Slack: markup, emoji, buttons and cards the way a person
sees them."""

import io
import re
from types import SimpleNamespace

import pytest

from app.drills.runner import run_drill
from app.drills.transcript import EMOJI, observation_line, readable

TOKEN = "<!date^1795438800^{date_short_pretty} {time}|Mon 23 Nov 13:00 GMT>"


def test_date_tokens_read_as_their_fallback():
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": f"*Response*\ndue {TOKEN}"}}]
    assert readable(None, blocks, {}) == "Response due Mon 23 Nov 13:00 GMT"
    linked = "<!date^1795438800^{date}^https://example.com/x|23 Nov>"
    assert readable(f"by {linked}, <@U0AAA>", None, {"U0AAA": "Amara"}) == "by 23 Nov, @Amara"


def test_escaped_text_that_looks_like_a_token_stays_as_typed():
    typed = "&lt;!date^1^{time}|soon&gt;"
    assert readable(typed, None, {}) == "<!date^1^{time}|soon>"


# -- the transcript reads like Slack ----------------------------------------------------------


@pytest.fixture(scope="module")
def transcript() -> str:
    out = io.StringIO()
    assert run_drill("escalate-message", out=out) == 0
    return out.getvalue()


@pytest.fixture(scope="module")
def sev3() -> str:
    out = io.StringIO()
    assert run_drill("sev3-breach", out=out) == 0
    return out.getvalue()


def test_clicks_name_the_button_label_not_the_action_id(transcript, sev3):
    assert "[09:02:10] Tom Hughes clicks Acknowledge on the card of ESC-1\n" in transcript
    assert "[13:40:00] Lukas Becker clicks Accept in their DM from Relay\n" in sev3
    assert "ticket_ack" not in transcript and "handoff_accept" not in sev3


def test_no_http_status_codes(transcript):
    assert "[09:03:00] Tom Hughes types `/esc show ESC-1` in #acme-support\n" in transcript
    assert not re.search(r"\(\d{3}\)", transcript)


@pytest.mark.parametrize(
    ("code", "drawn"),
    [
        ("warning", "⚠️"),
        ("rotating_light", "🚨"),
        ("arrow_up", "⬆️"),
        ("handshake", "🤝"),
        ("pause_button", "⏸️"),
        ("arrow_forward", "▶️"),
        ("white_check_mark", "✅"),
        ("leftwards_arrow_with_hook", "↩️"),
    ],
)
def test_relays_emoji_are_drawn(code, drawn):
    assert EMOJI[code] == drawn
    assert readable(f":{code}: Paused", None, {}) == f"{drawn} Paused"


def test_unknown_emoji_codes_and_times_stay_as_they_are():
    assert readable(":party_parrot: at 10:30:15", None, {}) == ":party_parrot: at 10:30:15"


def test_the_drills_show_emoji_not_codes(transcript, sev3):
    assert "#esc-payments sees a message (thread): 🚨 Sev1: paged @Amara Okafor" in transcript
    assert "⚠️ Response target at risk" in sev3 and "🤝 @Lukas Becker accepted" in sev3
    assert not re.search(r":[a-z_]+:", transcript + sev3)


CARD = [
    {"type": "header", "text": {"type": "plain_text", "text": "ESC-1 Checkout is down"}},
    {
        "type": "section",
        "fields": [
            {"type": "mrkdwn", "text": "*Severity*\nSev1"},
            {"type": "mrkdwn", "text": "*Owner*\n<@U1>"},
            {"type": "mrkdwn", "text": f"*Response*\nrespond within 8 min\ndue {TOKEN} · on track"},
        ],
    },
    {"type": "section", "text": {"type": "mrkdwn", "text": "A long description " * 20}},
    {
        "type": "actions",
        "elements": [
            {"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": "Ack"}},
            {
                "type": "users_select",
                "action_id": "b",
                "placeholder": {"type": "plain_text", "text": "Assign"},
            },
        ],
    },
]


def _obs(kind, **fields):
    base = dict(user=None, channel="C1", text="", blocks=None, view=None, thread_ts=None)
    return SimpleNamespace(kind=kind, **{**base, **fields})


def test_a_card_is_a_short_block_title_fields_buttons():
    line = observation_line(_obs("message", blocks=CARD), {"U1": "Tom", "C1": "esc-payments"})
    assert line == (
        "#esc-payments sees a message:\n"
        "  ESC-1 Checkout is down\n"
        "  Severity: Sev1   Owner: @Tom\n"
        "  Response: respond within 8 min, due Mon 23 Nov 13:00 GMT · on track\n"
        "  [Ack] [Assign ▾]"
    )
    # what `contains` looks in still has all of it, on one line
    assert "A long description" in readable(None, CARD, {})


def test_the_drill_prints_cards_as_blocks(transcript):
    assert (
        "        · #esc-payments sees the message updated:\n"
        "            ESC-1 Checkout is down for all our users since 08:55, every card payment"
        " fails with a 502.\n"
        "            Severity: Sev1   Type: Technical issue\n"
    ) in transcript
    assert (
        "            [Escalate] [Change severity] [Assign ▾] [Post update] [Resolve]\n"
        in transcript
    )


def test_a_modal_closing_is_shown_once_without_its_contents(transcript, sev3):
    view = {"type": "modal", "title": {"type": "plain_text", "text": "New escalation"}}
    closed = observation_line(_obs("view_closed", user="U1", view=view), {"U1": "Amara"})
    assert closed == "Amara sees the modal “New escalation” close"
    for text in (transcript, sev3):
        assert text.count("Amara Okafor sees the modal “New escalation” close\n") == 1
    # three refreshes that look the same are shown once
    assert sev3.count("Amara Okafor sees the modal “New escalation” change") == 1


def test_one_time_zone_in_the_header_steps_and_cards(transcript, sev3):
    assert "Starts Mon 23 Nov 2026 09:00 GMT; times below are scenario time, GMT." in transcript
    assert "due Mon 23 Nov 09:09 GMT" in transcript
    for text in (transcript, sev3):
        assert "UTC" not in text and "<!date" not in text


def test_no_double_full_stops():
    assert readable("fails with a 502.. Sev1", None, {}) == "fails with a 502. Sev1"
    assert readable("wait... and see", None, {}) == "wait... and see"


def test_the_drills_have_no_double_full_stops(transcript, sev3):
    assert "every card payment fails with a 502. Sev1 because" in transcript
    assert not re.search(r"(?<!\.)\.\.(?!\.)", transcript + sev3)


def test_broadcasts_typed_by_people_read_as_slack_shows_them(transcript):
    assert "Our branches cannot take payments. @channel please help!”" in transcript
    assert "<!channel>" not in transcript.split("Whole drill:")[0]
