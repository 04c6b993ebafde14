"""The baseline: a Bolt app that only acks, served like Relay's web process (bench/web.py
starts it with the Procfile's gunicorn settings). It acks every request the web bench sends:
`/esc`, the card's Assign picker, the new-ticket form and App Home opening."""

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

    @app.view("new_ticket")
    def submission(ack):
        ack()

    @app.event("app_home_opened")
    def home(event):
        pass

    return SlackRequestHandler(app, path="/slack/events")
