"""Properties of user text on its way to Slack (hypothesis): escaped text never pings or
forges a link, cut text stays within its limit, and the card, notices and forms built
from any text a person can store are valid Block Kit within Slack's limits."""

from hypothesis import example, given
from hypothesis import strategies as st

from app.models import TimelineEvent
from app.tickets import LIMITS, REASON_LIMIT, clean_text
from app.tickets.lifecycle import SUMMARY_LIMIT
from blocks.card import card_text, headline, opened_confirmation, ticket_card, ticket_details
from blocks.home import home_view
from blocks.new_ticket import new_ticket_modal
from blocks.notices import dm_text, handoff_dm, thread_text
from blocks.text import WORD_JOINER, escape, plain, truncate
from blocks.ticket_modals import escalate_modal, resolve_modal, severity_modal
from tests.blocks.test_card import NOW, make_ticket
from tests.user_text import (
    BARE_BROADCAST,
    check_blocks,
    check_view,
    examples,
    pings,
    short_text,
    texts,
    user_text,
)

FAST = examples(200)
RENDER = examples(60)


@FAST
@given(user_text)
def test_escaped_text_never_pings_links_or_forges_markup(text):
    escaped = escape(text)
    assert "<" not in escaped and ">" not in escaped
    assert not pings(escaped) and not BARE_BROADCAST.search(escaped)
    # Reading it back shows what was typed, less the word joiners that defuse @here.
    shown = escaped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert shown.replace(WORD_JOINER, "") == text.replace(WORD_JOINER, "")


@FAST
@given(user_text, st.one_of(st.none(), st.integers(1, 3000)))
def test_plain_text_never_broadcasts_and_keeps_its_limit(text, limit):
    shown = plain(text, limit)
    assert not BARE_BROADCAST.search(shown)
    if limit:
        assert len(shown) <= limit


@FAST
@given(user_text, st.integers(1, 4000))
def test_truncate_keeps_the_limit_and_the_start(text, limit):
    cut = truncate(text, limit)
    assert len(cut) <= limit
    assert cut == text or (cut.endswith("…") and text.startswith(cut[:-1]))


@FAST
@given(user_text, st.integers(1, 4000))
@example("x @everyone_at_once", 12)  # was "x @everyone…": a broadcast made by the cut
def test_text_cut_after_escaping_never_broadcasts(text, limit):
    """The card escapes, then cuts (escaping lengthens text): a cut right after `@here` in
    `@here_now` must not leave a mention that was not one before the cut."""
    assert not BARE_BROADCAST.search(truncate(escape(text), limit))
    assert not BARE_BROADCAST.search(plain(text, limit))


def stored(text: str, limit: int, *, single_line=False) -> str:
    """What intake would store of `text`: cleaned and within the field's limit."""
    return clean_text(text, single_line=single_line)[:limit] or "x"


USER_FIELDS = ("title", "description", "impact", "severity_reason", "handoff_note")


def neutral(playbook, **fields):
    """The same ticket with harmless text: whatever it pings is Relay's, not the user's."""
    plain_fields = {k: "x" for k in USER_FIELDS if k in fields}
    return make_ticket(playbook, **{**fields, **plain_fields})


def no_pings_from_user_text(rendered, baseline) -> None:
    """plain_text shows `<!channel>` as typed; mrkdwn must not carry it."""
    said = "\n".join(texts(rendered, mrkdwn_only=True))
    assert pings(said) <= pings("\n".join(texts(baseline, mrkdwn_only=True)))
    assert not BARE_BROADCAST.search(said)


ticket_text = st.fixed_dictionaries(
    {
        "title": user_text.map(lambda t: stored(t, LIMITS["title"], single_line=True)),
        "description": user_text.map(lambda t: stored(t, LIMITS["description"])),
        "impact": user_text.map(lambda t: stored(t, LIMITS["impact"])),
        "severity_reason": user_text.map(lambda t: "chosen by Amara: " + stored(t, 500)),
        "handoff_note": user_text.map(lambda t: stored(t, 3000)),
    }
)


@RENDER
@given(
    ticket_text,
    st.sampled_from(["technical", "security"]),
    st.sampled_from([None, "U0RAFHUG4A7"]),
)
def test_the_card_of_any_stored_text_is_valid_and_pings_nobody(playbook, fields, kind, owner):
    fields = {**fields, "escalation_type": kind, "owner_id": owner}
    ticket, baseline = make_ticket(playbook, **fields), neutral(playbook, **fields)
    for render in (
        lambda t: ticket_card(t, playbook, now=NOW),
        lambda t: ticket_details(t, playbook, now=NOW),
    ):
        blocks = render(ticket)
        check_blocks(blocks)
        no_pings_from_user_text(blocks, render(baseline))
    for line in (card_text, headline, opened_confirmation):
        said = line(ticket, playbook)
        assert len(said) <= 4000
        assert pings(said) <= pings(line(baseline, playbook))


@RENDER
@given(st.lists(ticket_text, min_size=1, max_size=12))
def test_app_home_of_any_stored_text_is_a_valid_view_that_pings_nobody(playbook, many):
    found = [make_ticket(playbook, key=f"ESC-{n}", id=n, **fields) for n, fields in enumerate(many)]
    quiet = [make_ticket(playbook, key=f"ESC-{n}", id=n) for n in range(len(many))]
    view = home_view(found, found, playbook, now=NOW)
    check_view(view)
    no_pings_from_user_text(view["blocks"], home_view(quiet, quiet, playbook, now=NOW)["blocks"])


@RENDER
@given(ticket_text, user_text)
def test_notices_and_dms_of_any_stored_text_ping_nobody(playbook, fields, said):
    ticket, baseline = make_ticket(playbook, **fields), neutral(playbook, **fields)
    due = NOW.isoformat()
    events = [
        ("escalated", {"tier": "L2", "reason": "manual", "notify": []}, None),
        ("resolved", {"status": "resolved"}, {"status": "open"}),
        (
            "severity.changed",
            {"severity": 2, "response_due_at": due, "resolution_due_at": due},
            {"severity": 1},
        ),
        ("paged", {"tier": "L1", "severity": 1, "notify": []}, None),
    ]
    note = stored(said, SUMMARY_LIMIT)
    for kind, after, before in events:
        event = TimelineEvent(
            kind=kind, at=NOW, actor_id="U0HW88GQ274", after=after, before=before, note=note
        )
        quiet = TimelineEvent(
            kind=kind, at=NOW, actor_id="U0HW88GQ274", after=after, before=before, note="x"
        )
        for render in (thread_text, dm_text):
            text = render(event, ticket, playbook)
            if text is not None:
                assert len(text) <= 40000
                assert pings(text) <= pings(render(quiet, baseline, playbook) or "")
                assert not BARE_BROADCAST.search(text)
    offered = {"to": "amara.okafor", "step": "primary", "tier": "L2", "due_at": due}
    event = TimelineEvent(kind="handoff.offered", at=NOW, actor_id=None, after=offered)
    dm = handoff_dm(event, ticket, playbook)
    check_blocks(dm["blocks"])
    no_pings_from_user_text(dm["blocks"], handoff_dm(event, baseline, playbook)["blocks"])


@RENDER
@given(user_text, user_text, short_text)
def test_forms_prefilled_with_any_text_are_valid_views(playbook, title, description, note):
    view = new_ticket_modal(
        playbook, metadata={"origin_channel": "C0SUPPORT1"}, title=title, description=description
    )
    check_view(view)
    ticket = make_ticket(playbook, title=stored(title, LIMITS["title"], single_line=True))
    for form in (
        escalate_modal(ticket, playbook, note=plain(note, 3000)),
        severity_modal(ticket, playbook),
        resolve_modal(ticket, playbook),
    ):
        check_view(form)
    assert REASON_LIMIT <= 500
