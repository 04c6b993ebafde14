"""The learning loop through signed requests: the reporter's "Did this fix it?" answer and
rating reach `/esc stats` and App Home as CSAT; `/esc review` again updates the ticket's
review canvas; a canvas whose answer was lost is not made twice."""

import re
import time

from slack_sdk import WebClient
from sqlalchemy import select

from app.models import Review
from app.runtime import Relay
from tests.e2e.test_actions import answers
from tests.e2e.test_intake import card, modal_of, open_via_command
from tests.e2e.test_war_room import room_of

MILD = {"impact": "One customer asked about a fee", "customer": "initech", "team": "platform"}


def rated(text: str) -> int:
    """How many ratings a figures line counts ("CSAT 100% (3 rated)"; "CSAT —": none)."""
    found = re.search(r"CSAT \d+% \((\d+) rated\)", text)
    return int(found[1]) if found else 0


def stats_line(sim, ws, user) -> str:
    before = len([o for o in sim.seen_by(user) if "Escalation stats" in (o.text or "")])
    sim.slash_command(user, ws.channels["support"], "stats platform")
    said = answers(sim, user, "Escalation stats: Platform", count=before + 1)
    return said[-1].text


def test_the_reporters_rating_shows_in_stats_and_on_app_home(web, sim, ws, sessions):
    reporter, diego = ws.users["amara.okafor"], ws.users["diego.ramirez"]  # Platform L1
    counted = rated(stats_line(sim, ws, diego))
    _, ticket = open_via_command(sim, ws, sessions, reporter, "Fee shown twice", **MILD)
    assert ticket.severity > 2 and ticket.team == "platform"
    sim.slash_command(diego, ws.channels["support"], f"resolve {ticket.key} Explained it")
    answers(sim, diego, f"*{ticket.key}* is resolved")

    def asked():
        dm = sim.dm_channel(reporter)
        found = [m for m in sim.messages(dm) if "Did this fix it?" in str(m)] if dm else []
        found = [m for m in found if ticket.key in str(m)]
        return (dm, found[-1]) if found else None

    dm, question = sim.wait_for(asked, what="the reporter's 'Did this fix it?' DM")
    sim.click(reporter, "confirm_fixed", channel_id=dm, ts=question["ts"])
    modal_of(sim, reporter)
    answer = sim.submit_view(reporter, {"rating": None, "comment": "x"})
    assert "rating" in answer.errors  # a rating is asked for inline, nothing is lost
    sim.submit_view(reporter, {"rating": "5", "comment": "Quick, thanks"})
    sim.wait_for(lambda: card(sessions, ticket.key).status.value == "closed", what="closed")

    line = stats_line(sim, ws, diego)
    assert rated(line) == counted + 1, line
    sim.open_app_home(diego)

    def numbers():
        home = sim.home_of(diego)
        texts = [str(b.get("text", {}).get("text", "")) for b in (home or {}).get("blocks", [])]
        shown = [t for t in texts if t.startswith("*Platform, last 30 days")]
        return shown[0] if shown else None

    assert rated(sim.wait_for(numbers, what="App Home's numbers")) == counted + 1


def sev2_resolved(sim, ws, sessions, title):
    amara = ws.users["amara.okafor"]
    sev2 = {"severity": "2", "override_reason": "A workaround exists"}
    _, ticket = open_via_command(sim, ws, sessions, amara, title, **sev2)
    assert ticket.severity == 2
    room = room_of(sim, sessions, ticket)
    sim.click(amara, "ticket_resolve", channel_id=ticket.card_channel, ts=ticket.card_ts)
    modal_of(sim, amara)
    sim.submit_view(amara, {"summary": "Rolled back the deploy", "root_cause": "Code change"})
    sim.wait_for(lambda: card(sessions, ticket.key).status.value == "resolved", what="resolved")
    return amara, card(sessions, ticket.key), room


def review_canvas(sim, sessions, ticket):
    def made():
        with sessions() as db:
            review = db.scalar(select(Review).where(Review.ticket_id == ticket.id))
        return review.canvas_id if review is not None and review.canvas_id else None

    return sim.wait_for(made, what="the review canvas is made")


def canvases_titled(sim, key):
    return [c for c in sim.ws.canvases.values() if c["title"] == f"Review: {key}"]


def test_review_again_edits_the_canvas(web, sim, ws, sessions):
    amara, ticket, room = sev2_resolved(sim, ws, sessions, "Question on fees")
    sim.slash_command(amara, ws.channels["support"], f"review {ticket.key}")
    answers(sim, amara, "the review is being drafted")
    canvas_id = review_canvas(sim, sessions, ticket)
    assert sim.ws.channels[room.slack_id].canvas == canvas_id  # the swarm's channel canvas
    sim.slash_command(amara, ws.channels["support"], f"review {ticket.key}")

    def edited():
        done = [c for c in sim.ws.calls if c.method == "canvases.edit" and c.ok]
        return [c for c in done if c.args.get("canvas_id") == canvas_id]

    sim.wait_for(edited, what="the canvas is edited")
    assert [c["id"] for c in canvases_titled(sim, ticket.key)] == [canvas_id]
    seen = [
        o for o in sim.seen_by(amara) if o.kind == "canvas_edited" and o.channel == room.slack_id
    ]
    assert seen and "## Key times" in seen[-1].text


def test_a_review_canvas_whose_answer_was_lost_is_made_once(web, sim, ws, sessions, playbook):
    amara, ticket, room = sev2_resolved(sim, ws, sessions, "Question on refunds")
    # Slack makes the channel canvas, then the connection drops before it answers.
    sim.faults.inject("conversations.canvases.create", "lost")
    sim.slash_command(amara, ws.channels["support"], f"review {ticket.key}")
    answers(sim, amara, "the review is being drafted")
    sim.wait_for(lambda: canvases_titled(sim, ticket.key), what="the canvas reaches Slack")
    time.sleep(1.5)  # the row's back-off; then the clock's delivery retries it
    client = WebClient(token=sim.bot_token, base_url=sim.api_url, retry_handlers=[])
    Relay(playbook, sessions, client).deliver()
    canvas_id = review_canvas(sim, sessions, ticket)
    assert [c["id"] for c in canvases_titled(sim, ticket.key)] == [canvas_id]
    assert sim.ws.channels[room.slack_id].canvas == canvas_id
