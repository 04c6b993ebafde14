"""The external upload flow as Slack runs it: a URL per file, the bytes posted to it, then
completing shares the file in a channel; what was never uploaded cannot be completed."""

from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
from slack_sdk.errors import SlackApiError


def test_files_upload_v2_shares_the_file_in_the_channel(sim, client):
    alice = sim.add_user("alice")
    general = sim.add_channel("general", members=[alice])
    answer = client.files_upload_v2(
        channel=general,
        file=b"\x89PNG-bytes",
        filename="chart.png",
        title="Chart",
        initial_comment="Weekly report",
    )
    [message] = sim.ws.channels[general].messages.values()
    assert message["text"] == "Weekly report"
    assert message["files"] == [
        {"id": answer["file"]["id"], "name": "chart.png", "title": "Chart", "size": 10}
    ]
    assert sim.ws.uploads[answer["file"]["id"]]["data"] == b"\x89PNG-bytes"


def test_an_upload_url_never_given_out_is_not_found(sim):
    with pytest.raises(HTTPError) as refused:
        urlopen(Request(f"{sim.base_url}/upload/F0NOSUCH01", data=b"x", method="POST"))
    assert refused.value.code == 404


def test_completing_what_was_not_uploaded_or_already_shared_fails(sim, client):
    general = sim.add_channel("general")
    upload = client.files_getUploadURLExternal(filename="chart.png", length=3)
    files = [{"id": upload["file_id"], "title": "Chart"}]
    with pytest.raises(SlackApiError, match="file_not_found"):
        client.files_completeUploadExternal(files=files, channel_id=general)
    urlopen(Request(upload["upload_url"], data=b"png", method="POST"))
    client.files_completeUploadExternal(files=files, channel_id=general)
    with pytest.raises(SlackApiError, match="file_not_found"):
        client.files_completeUploadExternal(files=files, channel_id=general)
    with pytest.raises(SlackApiError, match="missing_argument"):
        client.files_getUploadURLExternal(filename="empty.png", length=0)
