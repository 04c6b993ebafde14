"""A real slack_bolt App served over stdlib HTTP, driven end to end by the simulator."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient

from tests.simulator.conftest import SECRET

MODAL = {
    "type": "modal",
    "callback_id": "escalate",
    "title": {"type": "plain_text", "text": "Escalate"},
    "submit": {"type": "plain_text", "text": "Send"},
    "blocks": [
        {
            "type": "input",
            "block_id": "summary",
            "label": {"type": "plain_text", "text": "What is broken?"},
            "element": {"type": "plain_text_input", "action_id": "text"},
        }
    ],
}


def build_app(sim, channel: str) -> App:
    app = App(
        client=WebClient(token=sim.bot_token, base_url=sim.api_url),
        signing_secret=SECRET,
    )

    @app.command("/esc")
    def open_form(ack, body, client):
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=MODAL)

    @app.view("escalate")
    def submitted(ack, body, view, client):
        summary = view["state"]["values"]["summary"]["text"]["value"]
        if not summary:
            ack(response_action="errors", errors={"summary": "Tell us what is broken"})
            return
        ack()
        client.chat_postMessage(
            channel=channel, text=f"<!here> {summary} (by <@{body['user']['id']}>)"
        )

    return app


@pytest.fixture
def bolt_url(sim, people):
    app = build_app(sim, people["general"])

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            headers = {k.lower(): v for k, v in self.headers.items()}
            response = app.dispatch(BoltRequest(body=body, headers=headers))
            payload = (response.body or "").encode()
            self.send_response(response.status)
            for key, values in response.headers.items():
                for value in values:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/slack/events"
    sim.connect(url)
    yield url
    httpd.shutdown()
    httpd.server_close()


def test_slash_command_to_modal_to_channel_post(sim, people, bolt_url):
    alice, general = people["alice"], people["general"]
    answer = sim.slash_command(alice, general, "")
    assert answer.status == 200 and answer.elapsed_ms < 3000
    view = sim.wait_for(lambda: sim.views_of(alice), what="the escalation modal")[0]
    assert view["callback_id"] == "escalate"

    rejected = sim.submit_view(alice, {})
    assert rejected.errors == {"summary": "Tell us what is broken"} and rejected.problem is None
    assert len(sim.views_of(alice)) == 1

    accepted = sim.submit_view(alice, {"text": "Checkout returns 500"})
    assert accepted.status == 200 and accepted.errors is None
    assert sim.views_of(alice) == []
    sim.wait_for(lambda: sim.messages(general), what="the escalation post")
    sim.settle()
    assert sim.messages(general)[0]["text"] == f"<!here> Checkout returns 500 (by <@{alice}>)"
    assert [p.target for p in sim.pings] == ["here", alice]
    assert [c.method for c in sim.calls] == ["auth.test", "views.open", "chat.postMessage"]
    assert "dm" not in [o.kind for o in sim.seen_by(people["bob"])]
