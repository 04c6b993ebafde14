"""Listeners run on Relay's executor (app/listeners.offload): Slack's request is answered
as soon as the listener acks, while the work after its ack goes on."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import structlog
from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient

from app.listeners import offload

CLICK = {
    "type": "block_actions",
    "user": {"id": "U1"},
    "team": {"id": "T1"},
    "actions": [{"action_id": "go", "block_id": "b", "type": "button", "value": "v"}],
}


def app_with(listener, executor) -> App:
    app = App(
        client=WebClient(base_url="http://127.0.0.1:9/api/"),
        authorize=lambda **_: AuthorizeResult(enterprise_id=None, team_id="T1", bot_token="x"),
        request_verification_enabled=False,
        process_before_response=True,
    )
    app.action("go")(offload(listener, executor=executor))
    return app


def click(app: App):
    return app.dispatch(BoltRequest(body="payload=" + json.dumps(CLICK)))


def test_slack_is_answered_at_the_ack_while_the_work_after_it_goes_on():
    release, done = threading.Event(), threading.Event()

    def listener(ack, body):
        ack(text=f"hello {body['user']['id']}")
        release.wait(10)
        done.set()

    with ThreadPoolExecutor(2) as executor:
        response = click(app_with(listener, executor))
        assert response.status == 200 and "hello U1" in response.body
        assert not done.is_set(), "the answer did not wait for the work after the ack"
        release.set()
        assert done.wait(10)


def test_a_listener_that_fails_before_acking_is_answered_and_logged():
    def listener(ack):
        raise RuntimeError("boom")

    with ThreadPoolExecutor(1) as executor, structlog.testing.capture_logs() as logs:
        response = click(app_with(listener, executor))
    assert response.status == 404  # Bolt: no listener acknowledged it
    assert {"event": "request.unhandled", "error": "RuntimeError", "log_level": "error"} in logs
