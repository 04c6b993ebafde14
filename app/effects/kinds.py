"""The registry of side-effect kinds (see `EffectKind` in sending.py): how each is
prepared, sent, found again after a lost answer, and written back. Transient failures
(429, 5xx, time-outs) are the outbox's business; what an error means is the kind's.

A kind that waits on another names it in the row's `after`; the upstream's result (e.g.
`{"channel": "C…"}` from `channel.create`) is handed to `prepare`."""

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

from app.effects import canvases, captures, cards, channels
from app.effects.sending import (
    PAGE,
    EffectKind,
    Later,
    call,
    find_posted,
    method,
    send_method,
    where,
    with_key,
)
from app.models import OutboxMessage, Ticket
from app.reports.weekly import KIND as WEEKLY_REPORT
from app.tickets.timeline import add_event

__all__ = ["KINDS", "Later", "record_failure"]
# An ephemeral that cannot reach its person where they were goes to them as a DM.
EPHEMERAL_FALLBACK = {"not_in_channel", "channel_not_found", "user_not_in_channel", "is_archived"}


def _message(db, row: OutboxMessage, upstream, context) -> dict:
    return with_key(dict(row.payload), row.idem_key)


def _payload(db, row: OutboxMessage, upstream, context) -> dict:
    return dict(row.payload)


def _ephemeral_send(client: WebClient, args: dict) -> dict:
    try:
        return where(call(client, "chat.postEphemeral", args))
    except SlackApiError as exc:
        if exc.response.get("error") not in EPHEMERAL_FALLBACK:
            raise
    message = {k: args[k] for k in ("text", "blocks") if k in args}
    return {
        **where(call(client, "chat.postMessage", {**message, "channel": args["user"]})),
        "fallback": "dm",
    }


def record_failure(db, row: OutboxMessage, now) -> None:
    """A row that will never go out is noted on its ticket's timeline (never the text); a
    part of a war room or swarm that could not be made is also said in the ticket's thread
    (once: what waited on it failing too says nothing more)."""
    if row.subject == "ticket" and row.subject_id is not None:
        ticket = db.get(Ticket, row.subject_id)
        after = {"effect": row.kind, "error": row.last_error}
        add_event(db, ticket, kind="slack.failed", by=None, now=now, after=after)
        if row.kind.startswith("channel.") and row.last_error != "upstream_failed":
            db.add(channels.failure_note_row(row, now))


def _report_send(client: WebClient, args: dict) -> dict:
    """The chart through Slack's external upload flow (files.getUploadURLExternal, the
    upload, files.completeUploadExternal: slack_sdk's files_upload_v2), the report as its
    comment in the channel. An upload the file server refuses is retried like a dropped
    connection."""
    from app.reports.chart import chart_png  # matplotlib: only where a report is sent

    png = chart_png(args["series"])
    try:
        answer = client.files_upload_v2(
            channel=args["channel"],
            file=png,
            filename=args["filename"],
            title="Escalations by week: volume and % within SLA by severity",
            alt_txt="Bar chart of tickets per week by severity, lines of the share within SLA",
            initial_comment=args["text"],
        )
    except SlackRequestError as exc:  # the upload step's own failure (not an API error)
        raise ConnectionError("upload refused") from exc
    return {"channel": args["channel"], "files": [f["id"] for f in answer.get("files", [])]}


def _report_find(client: WebClient, args: dict) -> dict | None:
    """A report whose answer was lost (the last step, completing the upload, shares it in
    the channel): its message, by the chart's file name (one per slot), in the channel's
    recent history. Found, it is not uploaded again; else the flow starts over (an upload
    never completed is not shown anywhere)."""
    look = {"channel": args["channel"], "limit": PAGE}
    for message in call(client, "conversations.history", look).get("messages", []):
        files = [
            f.get("id") for f in message.get("files") or [] if f.get("name") == args["filename"]
        ]
        if files:
            return {
                "channel": args["channel"],
                "ts": message["ts"],
                "files": files,
                "adopted": True,
            }
    return None


KINDS: dict[str, EffectKind] = {
    kind.name: kind
    for kind in (
        EffectKind("message", _message, method("chat.postMessage"), find=find_posted, digest=True),
        EffectKind("ephemeral", _payload, _ephemeral_send),
        EffectKind(
            "card",
            cards.card_prepare,
            send_method,
            cards.card_write_back,
            coalesce=True,
            find=cards.card_find,
        ),
        EffectKind("permalink", _payload, cards.permalink_send, cards.permalink_write_back),
        EffectKind("thread", cards.thread_prepare, method("chat.postMessage"), find=find_posted),
        EffectKind("channel.create", _payload, channels.create_send, channels.create_write_back),
        EffectKind("channel.invite", channels.in_channel, channels.invite_send),
        # setPurpose, bookmarks.add ... in the channel made upstream.
        EffectKind("channel.call", channels.in_channel, channels.call_send),
        EffectKind("channel.post", channels.post_prepare, channels.post_send, find=find_posted),
        EffectKind("channel.pin", channels.pin_prepare, channels.pin_send),
        EffectKind("channel.topic", channels.topic_prepare, channels.topic_send, coalesce=True),
        EffectKind(
            "channel.role_card",
            channels.role_card_prepare,
            send_method,
            channels.role_card_write_back,
            coalesce=True,
            find=channels.role_card_find,
        ),
        EffectKind(
            "channel.rename",
            channels.rename_prepare,
            channels.rename_send,
            channels.rename_write_back,
        ),
        EffectKind(
            "channel.bookmark_card", channels.bookmark_card_prepare, channels.bookmark_card_send
        ),
        EffectKind("channel.archive", channels.in_channel, channels.archive_send),
        EffectKind(
            "canvas.create",
            canvases.canvas_prepare,
            canvases.canvas_send,
            canvases.canvas_write_back,
            find=canvases.canvas_find,
        ),
        EffectKind("channel.unarchive", channels.in_channel, channels.unarchive_send),
        EffectKind(
            "capture",
            captures.capture_prepare,
            captures.capture_send,
            captures.capture_write_back,
        ),
        EffectKind(WEEKLY_REPORT, _payload, _report_send, find=_report_find),
    )
}
