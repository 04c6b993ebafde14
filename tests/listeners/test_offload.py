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

from app.effects.courier import Answering
from app.listeners import offload

CLICK = {
    "type": "block_actions",
    "user": {"id": "U1"},
    "team": {"id": "T1"},
    "actions": [{"action_id": "go", "block_id": "b", "type": "button", "value": "v"}],
}


def app_with(listener, executor, answering=None) -> App:
    app = App(
        client=WebClient(base_url="http://127.0.0.1:9/api/"),
        authorize=lambda **_: AuthorizeResult(enterprise_id=None, team_id="T1", bot_token="x"),
        request_verification_enabled=False,
        process_before_response=True,
    )
    app.action("go")(offload(listener, executor=executor, answering=answering))
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


def test_work_after_an_ack_waits_until_the_requests_in_hand_are_answered():
    """Answers first: in a burst (many `/esc new` at once), each listener's work after its
    ack (opening a modal) waits until the process has answered the other requests."""
    answering, after = Answering(waiters=4), threading.Event()

    def listener(ack):
        ack()
        after.set()

    with ThreadPoolExecutor(8) as executor:
        app = app_with(listener, executor, answering)
        with answering.one():  # another request is still being answered
            assert click(app).status == 200
            assert not after.wait(0.3), "the work went ahead of an unanswered request"
        assert after.wait(5)


def test_no_more_listeners_wait_than_allowed_so_the_others_can_ack():
    """Were every listener thread waiting, the requests queued for one could not be acked
    until the wait ran out; past `waiters`, the work after an ack goes on at once."""
    answering, after = Answering(waiters=1), threading.Semaphore(0)

    def listener(ack):
        ack()
        after.release()

    with ThreadPoolExecutor(4) as executor:
        app = app_with(listener, executor, answering)
        with answering.one():
            click(app)  # waits (the one waiter allowed)
            click(app)  # goes on
            assert after.acquire(timeout=5)
            assert not after.acquire(timeout=0.2)
        assert after.acquire(timeout=5)
