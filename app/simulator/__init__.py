"""A stateful Slack simulator: Web API over HTTP for slack_sdk, signed inbound requests to the app,
and observations of what each person would see."""

from app.simulator.records import Call, Observation, Ping, SimResponse
from app.simulator.simulator import SlackSimulator

__all__ = ["Call", "Observation", "Ping", "SimResponse", "SlackSimulator"]
