"""Listeners called directly, as Bolt would call them: fakes for `ack`, `respond` and the
client that record every call in one ordered log, and a real Relay on the test database
whose own client talks to an in-process Slack simulator."""

from types import SimpleNamespace

import pytest
from slack_sdk import WebClient
from sqlalchemy import func, select, update

from app import changes
from app.drills.workspace import seed_workspace
from app.listeners.commands import handle_esc
from app.models import OutboxMessage, OutboxStatus, Ticket, TimelineEvent
from app.runtime import Relay
from app.simulator import SlackSimulator
from tests.sla.test_escalation import MON_0900, open_sev3, uid
from tests.test_clock import Clock


class FakeClient:
    """The listener's `client`: records the calls, answers like Slack would."""

    def __init__(self, calls: list) -> None:
        self.calls = calls

    def views_open(self, **kwargs) -> dict:
        self.calls.append(("views_open", kwargs))
        return {"ok": True, "view": {"id": "V0FAKE"}}

    def chat_postMessage(self, **kwargs) -> dict:
        self.calls.append(("chat_postMessage", kwargs))
        return {"ok": True, "ts": "1700000000.000100"}

    def chat_getPermalink(self, **kwargs) -> dict:
        self.calls.append(("chat_getPermalink", kwargs))
        return {"ok": True, "permalink": "https://northwind.slack.com/archives/C1/p1"}


class Fakes:
    """`ack`, `respond` and `client` for one listener call; `calls` is what they saw, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.client = FakeClient(self.calls)

    def ack(self, *args, **kwargs) -> None:
        assert not args, "Bolt's ack takes keyword arguments (or none)"
        self.calls.append(("ack", kwargs))

    def respond(self, *args, **kwargs) -> None:
        assert not args, "Relay answers with keyword arguments"
        self.calls.append(("respond", kwargs))

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def of(self, name: str) -> list[dict]:
        return [kwargs for called, kwargs in self.calls if called == name]

    def acked_first_and_once(self) -> bool:
        return self.names()[:1] == ["ack"] and self.names().count("ack") == 1

    def told(self) -> str:
        """Everything the person was told (ephemeral or DM), one text."""
        said = self.of("respond") + self.of("chat_postMessage")
        return "\n".join(kwargs.get("text", "") for kwargs in said)


@pytest.fixture
def fakes() -> Fakes:
    return Fakes()


@pytest.fixture(scope="module")
def sim(playbook, sessions):
    """A simulator per module. Slack calls earlier modules left pending were for their own
    simulator (cards and channels this one never saw): they are set aside, so that they
    neither fail here nor hold up the DMs and threads queued behind them."""
    with sessions() as db, db.begin():
        db.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.PENDING)
            .values(status=OutboxStatus.FAILED, last_error="left by an earlier test module")
        )
    with SlackSimulator(signing_secret="listener-tests") as sim:
        seed_workspace(sim, playbook)
        yield sim


@pytest.fixture
def relay(sessions, sim, playbook) -> Relay:
    client = WebClient(token=sim.bot_token, base_url=sim.api_url)
    return Relay(playbook, sessions, client, now=Clock(MON_0900))


@pytest.fixture
def people(playbook) -> SimpleNamespace:
    """Slack ids: a Payments L1 agent, the Payments manager, and an Identity outsider."""
    return SimpleNamespace(
        agent=uid(playbook, "amara.okafor"),
        manager=uid(playbook, "james.whitfield"),
        outsider=uid(playbook, "wei.lim"),
    )


def new_ticket(relay, **overrides) -> str:
    """A new Payments Sev3 ticket, stored with its card posted; returns its key."""
    with relay.sessions() as db, db.begin():
        ticket = open_sev3(db, relay.playbook, now=MON_0900, **overrides)
        changes.record_opening(db, relay.playbook, ticket, now=MON_0900)
        ticket_id, key = ticket.id, ticket.key
    relay.deliver(("ticket", ticket_id))
    return key


@pytest.fixture
def ticket_key(relay) -> str:
    return new_ticket(relay)


def stored(relay, key: str) -> Ticket:
    with relay.sessions() as db:
        return db.scalar(select(Ticket).where(Ticket.key == key))


def context(relay) -> dict:
    return {"relay": relay}


def snapshot(relay, key: str) -> tuple:
    """What a refused click must leave alone: the ticket's state and its timeline."""
    with relay.sessions() as db:
        ticket = db.scalar(select(Ticket).where(Ticket.key == key))
        events = db.scalar(
            select(func.count())
            .select_from(TimelineEvent)
            .where(TimelineEvent.ticket_id == ticket.id)
        )
        return (
            ticket.status,
            ticket.owner_id,
            ticket.acknowledged_at,
            ticket.tier,
            ticket.severity,
            ticket.updated_at,
            events,
        )


SUPPORT = "C0SUPPORT1"


def esc(fakes, relay, user: str, text: str, *, channel: str = SUPPORT) -> None:
    """`/esc text` typed by `user` in `channel` (the support channel), straight into the
    listener."""
    command = {
        "command": "/esc",
        "text": text,
        "user_id": user,
        "channel_id": channel,
        "trigger_id": "1337.42.abcd",
        "response_url": "https://hooks.slack.test/commands/1",
    }
    handle_esc(
        ack=fakes.ack,
        body=command,
        command=command,
        respond=fakes.respond,
        client=fakes.client,
        context=context(relay),
    )
