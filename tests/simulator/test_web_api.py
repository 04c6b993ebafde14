"""Web API behaviour through the real slack_sdk.WebClient."""

from __future__ import annotations

import re

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

# Some tests leave out `text` on purpose; slack_sdk warns about that.
pytestmark = pytest.mark.filterwarnings("ignore:The top-level `text` argument:UserWarning")


def error_of(call, *args, **kwargs) -> str:
    with pytest.raises(SlackApiError) as caught:
        call(*args, **kwargs)
    return caught.value.response["error"]


def test_ids_tokens_and_urls_look_like_slack(sim):
    assert sim.api_url.startswith("http://127.0.0.1:") and sim.api_url.endswith("/api/")
    assert sim.bot_token.startswith("xoxb-")
    uid = sim.add_user("dave")
    assert re.fullmatch(r"U0[A-Z0-9]{9}", uid)
    assert re.fullmatch(r"C0[A-Z0-9]{9}", sim.add_channel("ops"))
    assert re.fullmatch(r"T0[A-Z0-9]{9}", sim.team_id)


def test_auth_errors(sim):
    assert error_of(WebClient(base_url=sim.api_url).auth_test) == "not_authed"
    bad = WebClient(token="xoxb-nope", base_url=sim.api_url)
    assert error_of(bad.auth_test) == "invalid_auth"
    assert [c.error for c in sim.calls] == ["not_authed", "invalid_auth"]


def test_post_to_a_user_id_opens_a_dm(sim, client, people):
    alice = people["alice"]
    answer = client.chat_postMessage(channel=alice, text="Your escalation was routed")
    dm = answer["channel"]
    assert dm.startswith("D") and sim.dm_channel(alice) == dm
    assert client.conversations_open(users=alice)["channel"]["id"] == dm
    seen = sim.seen_by(alice)
    assert [(o.kind, o.text) for o in seen] == [("dm", "Your escalation was routed")]
    assert sim.seen_by(people["bob"]) == []


def test_not_in_channel_archived_and_unknown(sim, client, people):
    outside = sim.add_channel("outside", members=[people["alice"]], bot_member=False)
    assert error_of(client.chat_postMessage, channel=outside, text="x") == "not_in_channel"
    assert error_of(client.chat_postMessage, channel="C0NOPE00000", text="x") == "channel_not_found"
    secret = sim.add_channel("secret", is_private=True, bot_member=False)
    assert error_of(client.chat_postMessage, channel=secret, text="x") == "channel_not_found"
    assert error_of(client.chat_postMessage, channel=people["general"]) == "no_text"
    client.conversations_archive(channel=people["general"])
    assert error_of(client.chat_postMessage, channel=people["general"], text="x") == "is_archived"


def test_ephemeral_only_for_members_and_only_they_see_it(sim, client, people):
    general = people["general"]
    err = error_of(client.chat_postEphemeral, channel=general, user=people["carol"], text="x")
    assert err == "user_not_in_channel"
    ts = client.chat_postEphemeral(channel=general, user=people["alice"], text="only you")[
        "message_ts"
    ]
    assert sim.message(general, ts) is None  # ephemerals are not channel messages
    assert [o.kind for o in sim.seen_by(people["alice"])] == ["ephemeral"]
    assert sim.seen_by(people["bob"]) == []


def test_threads_updates_deletes_and_permalinks(sim, client, people):
    general = people["general"]
    root = sim.post_as_user(people["alice"], general, "checkout is down")
    reply = client.chat_postMessage(channel=general, thread_ts=root, text="On it")
    assert reply["message"]["thread_ts"] == root
    assert sim.message(general, root)["reply_count"] == 1
    link = client.chat_getPermalink(channel=general, message_ts=reply["ts"])["permalink"]
    assert link == (
        f"https://relay-sim.slack.com/archives/{general}/p{reply['ts'].replace('.', '')}"
        f"?thread_ts={root}&cid={general}"
    )
    updated = client.chat_update(channel=general, ts=reply["ts"], text="Fixed")
    assert updated["text"] == "Fixed" and sim.message(general, reply["ts"])["text"] == "Fixed"
    err = error_of(client.chat_update, channel=general, ts=root, text="hijack")
    assert err == "cant_update_message"
    assert error_of(client.chat_update, channel=general, ts="1.000001", text="x") == (
        "message_not_found"
    )
    client.chat_delete(channel=general, ts=reply["ts"])
    assert [m["ts"] for m in sim.messages(general)] == [root]
    kinds = [o.kind for o in sim.observations]
    assert kinds == ["message", "message", "message_updated", "message_deleted"]


def test_timestamps_strictly_increase(client, people):
    stamps = [
        client.chat_postMessage(channel=people["general"], text=str(i))["ts"] for i in range(5)
    ]
    assert all(re.fullmatch(r"\d{10}\.\d{6}", ts) for ts in stamps)
    assert stamps == sorted(stamps, key=float) and len(set(stamps)) == 5


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("", "invalid_name_required"),
        ("x" * 81, "invalid_name_maxlength"),
        ("Incident", "invalid_name_specials"),
        ("inc 42", "invalid_name_specials"),
        ("inc.42", "invalid_name_specials"),
        ("--__", "invalid_name_punctuation"),
        ("general", "name_taken"),
    ],
)
def test_channel_name_rules(client, people, name, error):
    assert error_of(client.conversations_create, name=name) == error


def test_archived_names_stay_taken_and_valid_names_work(sim, client):
    created = client.conversations_create(name="inc-2024_07-db", is_private=True)["channel"]
    assert created["is_private"] is True and created["is_member"] is True
    assert client.conversations_create(name="x" * 80)["ok"]
    assert client.conversations_create(name="障害-対応")["ok"]
    client.conversations_archive(channel=created["id"])
    assert error_of(client.conversations_create, name="inc-2024_07-db") == "name_taken"
    assert error_of(client.conversations_archive, channel=created["id"]) == "already_archived"


def test_invite_rules(sim, client, people):
    channel = client.conversations_create(name="inc-7")["channel"]["id"]
    client.conversations_invite(channel=channel, users=[people["alice"], people["bob"]])
    assert sim.members(channel) == {sim.bot_user_id, people["alice"], people["bob"]}
    invite = client.conversations_invite
    assert error_of(invite, channel=channel, users=people["alice"]) == "already_in_channel"
    assert error_of(invite, channel=channel, users="U0NOBODY000") == "user_not_found"
    assert error_of(invite, channel=channel, users=sim.bot_user_id) == "cant_invite_self"
    away = sim.add_channel("away", members=[people["alice"]], bot_member=False)
    assert error_of(invite, channel=away, users=people["bob"]) == "not_in_channel"
    assert [o.user for o in sim.observations if o.kind == "invited"] == [
        people["alice"],
        people["bob"],
    ]


def test_topic_pins_reactions_bookmarks(sim, client, people):
    general = people["general"]
    assert error_of(client.conversations_setTopic, channel=general, topic="x" * 251) == "too_long"
    topic = client.conversations_setTopic(channel=general, topic="t" * 250)["channel"]["topic"]
    assert topic["value"] == "t" * 250
    ts = client.chat_postMessage(channel=general, text="status")["ts"]
    client.pins_add(channel=general, timestamp=ts)
    assert error_of(client.pins_add, channel=general, timestamp=ts) == "already_pinned"
    assert error_of(client.pins_add, channel=general, timestamp="1.2") == "message_not_found"
    client.reactions_add(channel=general, timestamp=ts, name="eyes")
    err = error_of(client.reactions_add, channel=general, timestamp=ts, name="eyes")
    assert err == "already_reacted"
    client.reactions_remove(channel=general, timestamp=ts, name="eyes")
    err = error_of(client.reactions_remove, channel=general, timestamp=ts, name="eyes")
    assert err == "no_reaction"
    link = "https://status.example.com"
    mark = client.bookmarks_add(channel_id=general, title="Status", type="link", link=link)
    assert client.bookmarks_list(channel_id=general)["bookmarks"] == [mark["bookmark"]]
    kinds = [o.kind for o in sim.seen_by(people["bob"])]
    assert kinds == ["topic_set", "message", "pin_added", "reaction_added", "bookmark_added"]


def test_users_and_lists(sim, client, people):
    user = client.users_info(user=people["bob"])["user"]
    assert user["tz"] == "Europe/Paris" and user["tz_offset"] in (3600, 7200)
    found = client.users_lookupByEmail(email="alice@example.com")["user"]
    assert found["id"] == people["alice"] and found["real_name"] == "Alice Adams"
    assert error_of(client.users_lookupByEmail, email="nobody@example.com") == "users_not_found"
    assert error_of(client.users_info, user="U0NOBODY000") == "user_not_found"
    for i in range(5):
        sim.add_channel(f"room-{i}")
    names, cursor = [], None
    while True:
        page = client.conversations_list(limit=2, cursor=cursor)
        names += [c["name"] for c in page["channels"]]
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert names == ["general"] + [f"room-{i}" for i in range(5)]
    assert error_of(client.conversations_list, cursor="garbage") == "invalid_cursor"
    members = client.conversations_members(channel=people["general"])["members"]
    assert set(members) == {sim.bot_user_id, people["alice"], people["bob"]}


def test_block_kit_limits(client, people):
    general = people["general"]
    block = {"type": "section", "text": {"type": "mrkdwn", "text": "x"}}
    assert client.chat_postMessage(channel=general, text="f", blocks=[block] * 50)["ok"]
    err = error_of(client.chat_postMessage, channel=general, text="f", blocks=[block] * 51)
    assert err == "invalid_blocks"
    header = {"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}
    assert error_of(client.chat_postMessage, channel=general, blocks=[header]) == "invalid_blocks"
    button = {"type": "button", "text": {"type": "plain_text", "text": "b" * 76}, "action_id": "a"}
    actions = {"type": "actions", "elements": [button]}
    assert error_of(client.chat_postMessage, channel=general, blocks=[actions]) == "invalid_blocks"
    err = error_of(client.api_call, "chat.postMessage", data={"channel": general, "blocks": "{"})
    assert err == "invalid_blocks_format"


def test_history_and_replies_carry_metadata_only_when_asked(sim, client):
    ops = sim.add_channel("ops-history")
    meta = {"event_type": "relay_effect", "event_payload": {"key": "card:1:1"}}
    parent = client.chat_postMessage(channel=ops, text="card", metadata=meta)["ts"]
    client.chat_postMessage(channel=ops, text="later")
    reply = client.chat_postMessage(channel=ops, text="note", thread_ts=parent, metadata=meta)
    plain = client.conversations_history(channel=ops)["messages"]
    assert [m["text"] for m in plain] == ["later", "card"], "newest first, no thread replies"
    assert all("metadata" not in m for m in plain)
    full = client.conversations_history(channel=ops, include_all_metadata=True)["messages"]
    assert full[1]["metadata"] == meta
    thread = client.conversations_replies(channel=ops, ts=parent, include_all_metadata=True)
    assert [m["ts"] for m in thread["messages"]] == [parent, reply["ts"]]
    assert thread["messages"][1]["metadata"] == meta
    assert error_of(client.conversations_replies, channel=ops, ts="1.2") == "thread_not_found"
    bad = {"event_type": "x"}
    assert error_of(client.chat_postMessage, channel=ops, text="x", metadata=bad) == (
        "invalid_metadata_format"
    )


def test_date_tokens_pass_block_kit_checks_and_ping_nobody(sim, client, people):
    token = "<!date^1795438800^{date_short_pretty} {time}|Mon 23 Nov 13:00 GMT>"
    section = {"type": "section", "text": {"type": "mrkdwn", "text": f"due {token}"}}
    fields = {"type": "section", "fields": [{"type": "mrkdwn", "text": f"*Response*\n{token}"}]}
    blocks = [section, fields]
    assert client.chat_postMessage(channel=people["general"], text=f"due {token}", blocks=blocks)
    assert client.views_publish(user_id=people["alice"], view={"type": "home", "blocks": blocks})
    assert sim.pings == []
