"""What every effect kind shares: the kind's shape, one Web API call, posting a message
with its effect key in Slack message metadata, and finding such a message again."""

from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from app.models import OutboxMessage

METADATA_TYPE = "relay_effect"
UNCERTAIN = "no_answer"  # a time-out or dropped connection: the call may have reached Slack
# Messages searched for a post whose answer was lost, newest first, a page at a time. Other
# lanes keep posting meanwhile (a DM to one person from other tickets: 100 of them buried
# one in the kill loop), so it looks well past the last page.
LOOK_BACK, PAGE = 1000, 200


class Later(Exception):
    """The row cannot go yet (e.g. its ticket's card is not posted); try again soon."""


@dataclass(frozen=True)
class EffectKind:
    """`prepare(db, row, upstream_result, context) -> args` runs in the claiming transaction
    (render, find the target, or raise Later); `send(client, args) -> result` makes the
    call(s); `find(client, args) -> result | None` finds a post that reached Slack although
    its answer was lost; `write_back(db, row, args, result)` records what Slack made;
    `digest`: several of its rows ready at once for one person go as one (digests.py).
    `row` is the claimed row's columns (read-only: `attempts.CLAIM` returns them), or on
    the failure path the `OutboxMessage` itself."""

    name: str
    prepare: Callable[[Session, OutboxMessage, dict | None, object], dict]
    send: Callable[[WebClient, dict], dict]
    write_back: Callable[[Session, OutboxMessage, dict, dict], None] | None = None
    coalesce: bool = False
    find: Callable[[WebClient, dict], dict | None] | None = None
    digest: bool = False


def call(client: WebClient, method: str, args: dict, *, ok_errors=()) -> dict:
    """One Web API call; an error in `ok_errors` counts as done."""
    try:
        return client.api_call(method, json=args).data
    except SlackApiError as exc:
        if exc.response.get("error") in ok_errors:
            return {"ok": True, "already": exc.response.get("error")}
        raise


def where(answer: dict) -> dict:
    return {k: answer[k] for k in ("channel", "ts") if k in answer}


def method(name: str, **options) -> Callable[[WebClient, dict], dict]:
    def send(client: WebClient, args: dict) -> dict:
        return where(call(client, name, args, **options))

    return send


def send_method(client: WebClient, args: dict) -> dict:
    """Send `args` to the Web API method they name (`args["method"]`)."""
    args = dict(args)
    return method(args.pop("method"))(client, args)


def with_key(args: dict, key: str) -> dict:
    """A message carrying its effect key, so that it can be found again."""
    return {**args, "metadata": {"event_type": METADATA_TYPE, "event_payload": {"key": key}}}


def find_posted(client: WebClient, args: dict) -> dict | None:
    """The message these arguments posted, if Slack has it (by the key in its metadata, or
    among a digest's keys)."""
    key = args["metadata"]["event_payload"]["key"]
    channel = args["channel"]
    if channel[:1] in ("U", "W"):  # a DM addressed by user id
        channel = call(client, "conversations.open", {"users": channel})["channel"]["id"]
    look = {"channel": channel, "include_all_metadata": True, "limit": PAGE}
    method = "conversations.history"
    if args.get("thread_ts"):
        method, look["ts"] = "conversations.replies", args["thread_ts"]
    for _ in range(LOOK_BACK // PAGE):
        found = call(client, method, look)
        for message in found.get("messages", []):
            posted = (message.get("metadata") or {}).get("event_payload") or {}
            if posted.get("key") == key or key in (posted.get("keys") or ()):
                return {"channel": channel, "ts": message["ts"], "adopted": True}
        look["cursor"] = (found.get("response_metadata") or {}).get("next_cursor")
        if not look["cursor"]:
            break
    return None
