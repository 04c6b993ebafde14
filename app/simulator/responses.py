"""The response_url endpoint (POST /response/<id>): replies to slash commands and actions."""

from __future__ import annotations

import json

from app.simulator.blockkit import BlockError, check_message_blocks, with_ids
from app.simulator.state import RESPONSE_URL_TTL, RESPONSE_URL_USES, ResponseUrl, Workspace


def post(ws: Workspace, rid: str, raw: bytes) -> tuple[int, str]:
    """Returns (HTTP status, body text)."""
    with ws.lock:
        record = ws.response_urls.get(rid)
        if record is None:
            return 404, "no_such_url"
        if ws.clock() - record.created > RESPONSE_URL_TTL:
            return 404, "expired_url"
        if record.uses >= RESPONSE_URL_USES:
            return 404, "used_url"
        try:
            payload = json.loads(raw.decode("utf-8") or "null")
        except (UnicodeDecodeError, json.JSONDecodeError):
            return 400, "invalid_payload"
        if not isinstance(payload, dict):
            return 400, "invalid_payload"
        record.uses += 1
        if payload.get("delete_original"):
            _delete_source(ws, record)
            return 200, "ok"
        text = str(payload.get("text") or "")
        try:
            blocks = check_message_blocks(payload["blocks"]) if payload.get("blocks") else None
        except BlockError as exc:
            return 400, exc.code
        if not text and not blocks:
            return 400, "no_text"
        blocks = with_ids(blocks, ws.ids.short) if blocks else None
        if payload.get("replace_original") and _replace_source(ws, record, text, blocks):
            return 200, "ok"
        channel = ws.channels.get(record.channel or "")
        if payload.get("response_type") == "in_channel" and channel is not None:
            ws.add_message(
                channel,
                author=ws.bot_user_id,
                text=text,
                blocks=blocks,
                thread_ts=payload.get("thread_ts"),
                kind="response",
                for_user=record.user,
            )
            return 200, "ok"
        ws.add_ephemeral(record.user, record.channel, text, blocks, payload.get("thread_ts"))
        return 200, "ok"


def _delete_source(ws: Workspace, record: ResponseUrl) -> None:
    key = (record.channel or "", record.source_ts or "")
    if record.source_ephemeral:
        ws.ephemerals.pop(key, None)
        return
    channel = ws.channels.get(key[0])
    if channel is not None and channel.messages.pop(key[1], None) is not None:
        ws.observe(
            "message_deleted",
            user=channel.im_user,
            channel=channel.id,
            ts=key[1],
            author=ws.bot_user_id,
            public=True,
        )


def _replace_source(ws: Workspace, record: ResponseUrl, text: str, blocks) -> bool:
    key = (record.channel or "", record.source_ts or "")
    if record.source_ephemeral and key in ws.ephemerals:
        msg = ws.ephemerals[key]["message"]
        msg["text"] = text
        msg.pop("blocks", None)
        if blocks:
            msg["blocks"] = blocks
        ws.observe(
            "response",
            user=record.user,
            channel=key[0],
            ts=key[1],
            text=text,
            blocks=blocks,
            author=ws.bot_user_id,
        )
        return True
    channel = ws.channels.get(key[0])
    msg = channel.messages.get(key[1]) if channel else None
    if msg is None:
        return False
    msg["text"] = text
    msg.pop("blocks", None)
    if blocks:
        msg["blocks"] = blocks
    ws.observe(
        "message_updated",
        user=channel.im_user,
        channel=channel.id,
        ts=msg["ts"],
        thread_ts=msg.get("thread_ts"),
        text=text,
        blocks=blocks,
        author=ws.bot_user_id,
        public=True,
    )
    return True
