"""The baseline: a Bolt app that only acks, served like Relay's web process."""

import os

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient


def create_wsgi():
    client = WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"])
    app = App(signing_secret=os.environ["SLACK_SIGNING_SECRET"], client=client)

    @app.command("/esc")
    def command(ack):
        ack()

    @app.action("ticket_assign")
    def action(ack):
        ack()

    return SlackRequestHandler(app, path="/slack/events")
