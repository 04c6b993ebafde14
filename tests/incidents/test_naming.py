"""Channel names follow Slack's rules whatever the title."""

from hypothesis import given
from hypothesis import strategies as st

from app.incidents import channel_name, renamed, slug
from app.simulator.methods.conversations import _allowed_char


def test_names_carry_the_prefix_key_and_a_slug_of_the_title():
    assert channel_name("war_room", "ESC-12", "Checkout DOWN for Acme!") == (
        "inc-esc-12-checkout-down-for-acme"
    )
    swarm = channel_name("swarm", "ESC-3", "Résumé upload — slow")
    assert swarm == "swarm-esc-3-resume-upload-slow"
    assert channel_name("war_room", "ESC-4", "!!!") == "inc-esc-4"


def test_a_swarm_renamed_as_a_war_room_keeps_its_suffix():
    assert renamed("swarm-esc-3-slow-2", "war_room") == "inc-esc-3-slow-2"


@given(st.text(max_size=400))
def test_any_title_gives_a_valid_name(title):
    name = channel_name("swarm", "ESC-123456", title)
    assert 0 < len(name) <= 80
    assert all(_allowed_char(ch) and ch.isascii() for ch in name)
    assert not name.endswith("-")
    assert slug(title) == slug(title.upper())
