"""The baseline: a Bolt app that only acks, served like Relay's web process."""

import os

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler


def create_wsgi():
    app = App(
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        token=os.environ["SLACK_BOT_TOKEN"],
        token_verification_enabled=False,
    )

    @app.command("/esc")
    def command(ack):
        ack()

    @app.action("ticket_ack")
    def action(ack):
        ack()

    return SlackRequestHandler(app, path="/slack/events")
