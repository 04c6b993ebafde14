"""files.getUploadURLExternal and files.completeUploadExternal: Slack's external upload
flow. The bytes go to the upload URL in between (the server's `/upload/<file id>` route);
completing shares the file in a channel as a message with `files`."""

from __future__ import annotations

import json

from app.simulator.records import SlackError
from app.simulator.registry import integer, method
from app.simulator.state import Workspace

MAX_ALT_TEXT = 1000


@method(
    "files.getUploadURLExternal",
    required=("length", "filename"),
    errors=("alt_txt_too_large", "missing_argument"),
)
def get_upload_url(ws: Workspace, args: dict) -> dict:
    length = integer(args, "length", 0, "invalid_arguments")
    if length < 1:
        raise SlackError("missing_argument")
    if len(str(args.get("alt_txt") or "")) > MAX_ALT_TEXT:
        raise SlackError("alt_txt_too_large")
    file_id = ws.ids.new("F")
    ws.uploads[file_id] = {"filename": str(args["filename"]), "length": length, "data": None}
    return {"upload_url": f"{ws.base_url}/upload/{file_id}", "file_id": file_id}


def receive_upload(ws: Workspace, file_id: str, data: bytes) -> bool:
    """The POST to an upload URL; False for a URL Slack never gave out."""
    with ws.lock:
        upload = ws.uploads.get(file_id)
        if upload is None:
            return False
        upload["data"] = data
        return True


def _files(args: dict) -> list[dict]:
    raw = args.get("files")
    try:
        files = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError as exc:
        raise SlackError("invalid_arguments") from exc
    if not isinstance(files, list) or not files or not all(isinstance(f, dict) for f in files):
        raise SlackError("invalid_arguments")
    return files


@method(
    "files.completeUploadExternal",
    required=("files",),
    errors=("file_not_found", "channel_not_found", "not_in_channel", "invalid_channel"),
)
def complete_upload(ws: Workspace, args: dict) -> dict:
    done = []
    for entry in _files(args):
        upload = ws.uploads.get(str(entry.get("id") or ""))
        if upload is None or upload["data"] is None or upload.get("shared"):
            raise SlackError("file_not_found")
        done.append((entry["id"], str(entry.get("title") or upload["filename"]), upload))
    channel_id = args.get("channel_id")
    if channel_id:
        channel = ws.channels.get(str(channel_id))
        if channel is None or not ws.bot_can_see(channel):
            raise SlackError("channel_not_found")
        if ws.bot_user_id not in channel.members:
            raise SlackError("not_in_channel")
    for _, title, upload in done:
        upload.update(shared=True, title=title)
    if channel_id:
        message = ws.add_message(
            channel,
            author=ws.bot_user_id,
            text=str(args.get("initial_comment") or ""),
            thread_ts=args.get("thread_ts"),
        )
        message["files"] = [
            {"id": file_id, "name": upload["filename"], "title": title, "size": upload["length"]}
            for file_id, title, upload in done
        ]
    return {"files": [{"id": file_id, "title": title} for file_id, title, _ in done]}
