"""Opening tickets through signed requests to the web process, as Slack would send them."""

import threading

from sqlalchemy import func, select

from app.models import Ticket, TimelineEvent

VALUES = {
    "description": "Every card payment fails with a 502 since 09:40.",
    "impact": "All users affected in the EU; no checkout possible.",
    "team": "payments",
    "customer": "acme-bank",
    "escalation_type": "technical",
}


def modal_of(sim, user):
    return sim.wait_for(lambda: (sim.views_of(user) or [None])[-1], what="a modal opens")


def ticket_count(sessions):
    with sessions() as db:
        return db.scalar(select(func.count()).select_from(Ticket))


def latest_ticket(sessions, reporter):
    with sessions() as db:
        stmt = select(Ticket).where(Ticket.reporter_id == reporter).order_by(Ticket.id.desc())
        return db.scalars(stmt).first()


def open_via_command(sim, ws, sessions, user, title, **values):
    answer = sim.slash_command(user, ws.channels["support"], f"new {title}")
    assert answer.status == 200
    modal = modal_of(sim, user)
    before = ticket_count(sessions)
    sim.submit_view(user, {**VALUES, **values})
    sim.wait_for(lambda: ticket_count(sessions) > before, what="the ticket is stored")
    ticket = latest_ticket(sessions, user)
    sim.wait_for(lambda: card(sessions, ticket.key).card_ts, what="the card is posted")
    return modal, card(sessions, ticket.key)


def card(sessions, key):
    with sessions() as db:
        return db.scalar(select(Ticket).where(Ticket.key == key))


def test_esc_new_opens_prefilled_modal_and_posts_card(web, sim, ws, sessions, playbook):
    agent = ws.users["amara.okafor"]
    modal, ticket = open_via_command(sim, ws, sessions, agent, "Checkout outage")
    title_block = next(b for b in modal["blocks"] if b.get("block_id") == "title")
    assert title_block["element"]["initial_value"] == "Checkout outage"
    assert ticket.title == "Checkout outage" and ticket.severity == 1 and ticket.tier == "L1"
    queue = playbook.teams["payments"].queue_channel
    posted = sim.message(queue, ticket.card_ts)
    assert posted["text"].startswith(f"{ticket.key} Sev1")
    flat = str(posted["blocks"])
    assert "Acme Bank (Strategic)" in flat and "respond within" in flat
    confirmation = sim.wait_for(
        lambda: [o for o in sim.seen_by(agent) if o.kind == "ephemeral" and ticket.key in o.text],
        what="the submitter's confirmation",
    )
    assert "Targets: respond within" in confirmation[0].text
    with sessions() as db:
        kinds = db.scalars(select(TimelineEvent.kind).where(TimelineEvent.ticket_id == ticket.id))
        # Sev1 pages L1 at once; declared by an agent, the war room waits for an approver
        assert list(kinds) == ["opened", "severity.suggested", "paged", "approval.requested"]


def test_message_shortcut_keeps_permalink_and_author(web, sim, ws, sessions):
    customer, agent = ws.users["dana"], ws.users["tom.hughes"]
    ts = sim.post_as_user(customer, ws.channels["support"], "Our logins are slow today\nsince 9")
    sim.message_shortcut(agent, ws.channels["support"], ts, "escalate_message")
    modal = modal_of(sim, agent)
    blocks = {b.get("block_id"): b for b in modal["blocks"]}
    assert blocks["title"]["element"]["initial_value"] == "Our logins are slow today"
    assert "since 9" in blocks["description"]["element"]["initial_value"]
    before = ticket_count(sessions)
    sim.submit_view(
        agent,
        {"impact": "Some users wait 10 s", "team": "identity", "escalation_type": "technical"},
    )
    sim.wait_for(lambda: ticket_count(sessions) > before, what="the ticket is stored")
    ticket = latest_ticket(sessions, agent)
    assert ticket.source_author_id == customer and ticket.source_ts == ts
    assert ticket.severity == 2  # "slow" -> degraded service
    # The permalink is looked up after the ticket is saved, before the card is posted.
    ticket = sim.wait_for(lambda: card(sessions, ticket.key).card_ts and card(sessions, ticket.key))
    assert ticket.source_permalink and ticket.source_permalink.startswith("https://")
    sim.settle()
    assert "source message" in str(sim.message(ticket.card_channel, ticket.card_ts)["blocks"])


def test_global_shortcut_confirms_by_dm(web, sim, ws, sessions):
    agent = ws.users["wei.lim"]
    sim.global_shortcut(agent, "new_escalation")
    modal_of(sim, agent)
    before = ticket_count(sessions)
    sim.submit_view(
        agent, {**VALUES, "title": "Question about SSO setup", "team": "identity", "customer": None}
    )
    sim.wait_for(lambda: ticket_count(sessions) > before, what="the ticket is stored")
    ticket = latest_ticket(sessions, agent)
    dms = sim.wait_for(
        lambda: [o for o in sim.seen_by(agent) if o.kind == "dm" and ticket.key in o.text],
        what="a DM confirmation",
    )
    assert "Opened" in dms[0].text


def test_a_confirmation_where_relay_is_not_a_member_comes_by_dm(web, sim, ws, sessions):
    agent = ws.users["hana.tan"]
    elsewhere = sim.add_channel("hallway", members=[agent], bot_member=False)
    sim.slash_command(agent, elsewhere, "new Card reader offline")
    modal_of(sim, agent)
    before = ticket_count(sessions)
    sim.submit_view(agent, {**VALUES, "team": "payments", "customer": None})
    sim.wait_for(lambda: ticket_count(sessions) > before, what="the ticket is stored")
    ticket = latest_ticket(sessions, agent)
    dms = sim.wait_for(
        lambda: [
            o
            for o in sim.seen_by(agent)
            if o.kind == "dm" and ticket.key in (o.text or "") and "Opened" in o.text
        ],
        what="the confirmation, by DM since Relay is not in #hallway",
    )
    assert "Opened" in dms[0].text


def test_invalid_input_comes_back_inline_and_makes_nothing(web, sim, ws, sessions):
    agent = ws.users["amara.okafor"]
    sim.slash_command(agent, ws.channels["support"], "new")
    modal_of(sim, agent)
    before = ticket_count(sessions)
    answer = sim.submit_view(agent, {**VALUES, "title": "   ", "impact": ""})
    assert set(answer.errors) == {"title", "impact"}
    assert sim.views_of(agent), "the modal stays open"
    answer = sim.submit_view(agent, {**VALUES, "title": "Checkout outage", "severity": "4"})
    assert "Relay suggests Sev1" in answer.errors["override_reason"]
    assert ticket_count(sessions) == before
    sim.submit_view(
        agent,
        {
            **VALUES,
            "title": "Checkout outage",
            "severity": "4",
            "override_reason": "Test tenant only",
        },
    )
    sim.wait_for(lambda: ticket_count(sessions) > before, what="the ticket is stored")
    ticket = latest_ticket(sessions, agent)
    assert (ticket.severity, ticket.suggested_severity) == (4, 1)


def test_double_submission_makes_one_ticket(web, sim, ws, sessions, monkeypatch):
    agent = ws.users["priya.shah"]
    sim.slash_command(agent, ws.channels["support"], "new Double click")
    view_id = modal_of(sim, agent)["id"]
    before = ticket_count(sessions)
    # Both submissions leave before either is answered (Slack closes the modal on the answer).
    sender, both_made = sim._gestures.sender, threading.Barrier(2, timeout=10)
    send = sender.interactive

    def together(payload):
        if payload["type"] == "view_submission":
            both_made.wait()
        return send(payload)

    monkeypatch.setattr(sender, "interactive", together)
    threads = [
        threading.Thread(target=sim.submit_view, args=(agent, VALUES), kwargs={"view_id": view_id})
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sim.wait_for(lambda: ticket_count(sessions) > before, what="the ticket is stored")
    sim.settle()
    assert ticket_count(sessions) == before + 1


def test_keys_unique_under_concurrent_submissions(web, sim, ws, sessions):
    agents = [ws.users[h] for h in ("maya.chen", "diego.ramirez", "olivia.grant", "sam.patel")]
    for agent in agents:
        sim.slash_command(agent, ws.channels["support"], "new Race")
        modal_of(sim, agent)
    before = ticket_count(sessions)
    with sessions() as db:  # earlier tests may have had these agents report tickets too
        last_id = db.scalar(select(func.max(Ticket.id))) or 0
    threads = [threading.Thread(target=sim.submit_view, args=(a, VALUES)) for a in agents]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sim.wait_for(lambda: ticket_count(sessions) == before + 4, what="four tickets")
    with sessions() as db:
        mine = Ticket.reporter_id.in_(agents) & (Ticket.id > last_id)
        keys = list(db.scalars(select(Ticket.key).where(mine)))
    assert len(keys) == len(set(keys)) == 4
