"""The courier: what listeners hand it goes out in one delivery run per pass."""

import threading

from app.effects.courier import Answering, Courier


def test_tickets_handed_during_a_run_go_out_together_in_the_next():
    started, release, runs = threading.Event(), threading.Event(), []
    done = threading.Semaphore(0)

    def deliver(subject):
        runs.append(subject)
        started.set()
        release.wait(5)
        done.release()
        return 0

    courier = Courier(deliver)
    courier.hand(7)
    assert started.wait(5)  # the first run is under way ...
    for ticket_id in (3, 9, 3):  # ... while three more clicks commit
        courier.hand(ticket_id)
    release.set()
    assert done.acquire(timeout=5) and done.acquire(timeout=5)
    assert runs == [("ticket", [7]), ("ticket", [3, 9])]


def test_a_failed_run_does_not_stop_the_courier():
    runs, done = [], threading.Semaphore(0)

    def deliver(subject):
        runs.append(subject)
        done.release()
        if len(runs) == 1:
            raise RuntimeError("database away")
        return 1

    courier = Courier(deliver)
    courier.hand(1)
    assert done.acquire(timeout=5)
    courier.hand(2)
    assert done.acquire(timeout=5)
    assert runs == [("ticket", [1]), ("ticket", [2])]


def test_a_pass_waits_while_requests_are_being_answered():
    """Answers first: tickets handed while the process answers Slack requests go out once
    it has answered them (a burst of forms is acknowledged before what it set off is sent)."""
    answering, runs, done = Answering(), [], threading.Semaphore(0)

    def deliver(subject):
        runs.append(subject)
        done.release()
        return 0

    courier = Courier(deliver, busy=answering.busy, hold=30)
    with answering.one():
        courier.hand(4)
        assert not done.acquire(timeout=0.3)  # still answering: nothing sent yet
    assert done.acquire(timeout=5)
    assert runs == [("ticket", [4])]


def test_a_pass_waits_no_longer_than_its_hold():
    """Requests that never stop coming do not hold delivery back for good."""
    answering, runs, done = Answering(), [], threading.Semaphore(0)

    def deliver(subject):
        runs.append(subject)
        done.release()
        return 0

    courier = Courier(deliver, busy=answering.busy, hold=0.2)
    with answering.one():
        courier.hand(5)
        assert done.acquire(timeout=5)
    assert runs == [("ticket", [5])]
