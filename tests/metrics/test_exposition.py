"""/metrics: what a Prometheus scrape of the web process reads, from the database."""

import io
from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families
from slack_bolt import App
from slack_sdk import WebClient

from app import clock
from app.bot import wsgi_app
from app.effects import outbox
from app.models import OutboxMessage, OutboxStatus, Status
from app.runtime import Relay
from app.tickets.timeline import add_event
from tests.sla.test_escalation import MON_0900, open_sev3

NOW = MON_0900 + timedelta(hours=3, minutes=30)  # past a Sev3's response warning (3h)


def scrape(application, token=None):
    answer = {}
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/metrics", "wsgi.input": io.BytesIO()}
    if token:
        environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    body = b"".join(application(environ, lambda status, headers: answer.update(status=status)))
    return answer["status"], body.decode()


def samples(text):
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def web(sessions, playbook, **options):
    client = WebClient(token="xoxb-1", base_url="http://127.0.0.1:9/")
    relay = Relay(playbook, sessions, client, now=lambda: NOW)
    return relay, wsgi_app(App(client=client, token_verification_enabled=False), relay, **options)


def test_a_scrape_counts_open_tickets_notices_backlog_and_the_clock(fresh, playbook):
    relay, application = web(fresh, playbook)
    with fresh() as db, db.begin():
        at_risk = open_sev3(db, playbook)  # nobody acknowledged it: past its warning
        breached = open_sev3(db, playbook)
        breached.response_breached = True
        add_event(db, breached, kind="sla.warning", by=None, now=NOW, after={"clock": "response"})
        add_event(db, breached, kind="sla.breached", by=None, now=NOW, after={"clock": "response"})
        waiting = open_sev3(db, playbook, now=NOW)
        waiting.status = Status.WAITING
        open_sev3(db, playbook, now=NOW)  # fresh: on track
        open_sev3(db, playbook, now=NOW).status = Status.RESOLVED  # not open
        open_sev3(db, playbook, now=NOW).is_drill = True  # a drill: never counted
        rows = [
            outbox.row(key=f"k{i}", kind="message", payload={}, now=NOW - timedelta(minutes=i))
            for i in range(4)
        ]
        outbox.enqueue_rows(db, rows)
        db.flush()
        db.query(OutboxMessage).filter_by(idem_key="k0").update({"status": OutboxStatus.SENT})
        db.query(OutboxMessage).filter_by(idem_key="k1").update({"status": OutboxStatus.FAILED})
        assert at_risk.id
    clock.beat(Relay(playbook, fresh, relay.client, now=lambda: NOW - timedelta(seconds=25)))

    status, text = scrape(application)
    found = samples(text)
    assert status == "200 OK"

    def tickets(state):
        key = (
            "relay_open_tickets",
            (("severity", "sev3"), ("sla_state", state), ("team", "payments")),
        )
        return found.get(key)

    assert [tickets(s) for s in ("at_risk", "breached", "paused", "on_track")] == [1, 1, 1, 1]
    assert found[("relay_sla_warnings_total", (("clock", "response"),))] == 1
    assert found[("relay_sla_breaches_total", (("clock", "response"),))] == 1
    assert found[("relay_sla_breaches_total", (("clock", "resolution"),))] == 0
    assert found[("relay_notices_total", (("kind", "message"), ("status", "sent")))] == 1
    assert found[("relay_notices_total", (("kind", "message"), ("status", "failed")))] == 1
    assert found[("relay_outbox_pending", ())] == 2  # k2, k3: the oldest 3 minutes old
    assert found[("relay_outbox_oldest_pending_age_seconds", ())] == 180
    assert found[("relay_clock_heartbeat_age_seconds", ())] == 25

    # Another web process on the same database tells the same truth.
    _, other = web(fresh, playbook)
    assert samples(scrape(other)[1]) == found


def test_no_clock_yet_means_no_heartbeat_age_and_an_empty_backlog(fresh, playbook):
    _, application = web(fresh, playbook)
    found = samples(scrape(application)[1])
    assert found[("relay_outbox_pending", ())] == 0
    assert not [key for key in found if key[0] == "relay_clock_heartbeat_age_seconds"]


def test_metrics_token_is_asked_for_when_set(fresh, playbook):
    _, application = web(fresh, playbook, metrics_token="s3cret")
    assert scrape(application)[0] == "401 Unauthorized"
    assert scrape(application, "wrong")[0] == "401 Unauthorized"
    status, text = scrape(application, "s3cret")
    assert status == "200 OK" and "relay_outbox_pending" in text
