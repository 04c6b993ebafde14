"""A simulator and a ticket with a queue channel, for delivery tests."""

import pytest
from slack_sdk import WebClient

from app import tickets
from app.simulator import SlackSimulator
from tests.conftest import NOW
from tests.tickets.test_intake import intake


@pytest.fixture
def sim():
    with SlackSimulator(signing_secret="s3cret") as sim:
        yield sim


@pytest.fixture
def world(sim, sessions, playbook):
    team = playbook.teams["payments"]
    sim.add_channel(team.queue_channel_name, id=team.queue_channel, members=[])
    # As Relay builds it: no retries inside slack_sdk; the outbox decides.
    client = WebClient(token=sim.bot_token, base_url=sim.api_url, retry_handlers=[])
    with sessions() as db, db.begin():
        checked = tickets.check_intake(playbook, intake(playbook, team="payments"))
        ticket, _ = tickets.open_ticket(db, playbook, checked, now=NOW)
    return client, ticket.id, team.queue_channel
