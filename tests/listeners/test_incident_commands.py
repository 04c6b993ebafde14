"""`/esc role` and `/esc pull`: who may, what they answer, the key optional in the channel."""

from sqlalchemy import select

from app.incidents import holders
from app.models import Channel, OutboxMessage, Ticket
from tests.effects.test_incident_effects import approve_pending
from tests.listeners.conftest import esc, new_ticket, stored
from tests.sla.test_escalation import uid


def war_room(relay):
    key = new_ticket(relay, severity=1, override_reason="drill", title="Checkout down")
    approve_pending(relay, key)  # declared by an agent: an approver lets the war room open
    with relay.sessions() as db:
        ticket = db.scalar(select(Ticket).where(Ticket.key == key))
        channel = db.scalar(select(Channel).where(Channel.ticket_id == ticket.id))
    return key, channel.slack_id


def typed_in(fakes, relay, user, channel_id, text):
    esc(fakes, relay, user, text, channel=channel_id)


def roles_of(relay, key):
    with relay.sessions() as db:
        return holders(db, db.scalar(select(Ticket).where(Ticket.key == key)))


def test_the_ic_hands_a_role_over_in_the_war_room_without_a_key(fakes, relay, playbook):
    key, room = war_room(relay)
    priya, tom = uid(playbook, "priya.shah"), uid(playbook, "tom.hughes")
    assert roles_of(relay, key) == {"ic": priya}  # Amara declared; not eligible
    typed_in(fakes, relay, priya, room, f"role comms <@{tom}|tom>")
    assert fakes.acked_first_and_once()
    assert fakes.told() == f"<@{tom}> is now Comms lead for {key}; they got a DM."
    assert roles_of(relay, key) == {"ic": priya, "comms": tom}
    with relay.sessions() as db:
        dms = db.scalars(
            select(OutboxMessage.payload).where(OutboxMessage.idem_key.like("dm:%"))
        ).all()
    assert any(p["channel"] == tom and "Comms lead" in p["text"] for p in dms)


def test_someone_else_may_not_hand_roles_over(fakes, relay, playbook):
    key, _ = war_room(relay)
    amara = uid(playbook, "amara.okafor")
    esc(fakes, relay, amara, f"role {key} scribe <@{amara}>")
    assert fakes.told().startswith(f"Only the incident commander of {key}")
    assert "scribe" not in roles_of(relay, key)


def test_bad_role_input_gets_a_clear_answer(fakes, relay, playbook):
    key, _ = war_room(relay)
    admin = uid(playbook, "fatima.haddad")
    esc(fakes, relay, admin, f"role {key} boss <@{admin}>")
    assert fakes.told().startswith("Name a role and mention the person")
    fakes.calls.clear()
    esc(fakes, relay, admin, "role comms <@U0ZZZ>")
    assert fakes.told().startswith("Which ticket? Give its key")
    fakes.calls.clear()
    tom = uid(playbook, "tom.hughes")
    esc(fakes, relay, admin, f"role {key} ic <@{tom}>")
    assert "IC-eligible" in fakes.told()


def test_pull_invites_another_teams_primary(fakes, relay, playbook, sim):
    key, room = war_room(relay)
    james = uid(playbook, "james.whitfield")
    typed_in(fakes, relay, james, room, "pull platform")
    maya = uid(playbook, "maya.chen")  # Platform's L1 primary
    assert fakes.told() == f"Pulled Platform's L1 primary into the channel of {key}: <@{maya}>."
    assert maya in sim.members(room)
    fakes.calls.clear()
    esc(fakes, relay, james, f"pull {key} nowhere")
    assert fakes.told().startswith("`nowhere` is not a team")
    fakes.calls.clear()
    esc(fakes, relay, uid(playbook, "wei.lim"), f"pull {key} platform")
    assert fakes.told().startswith("Only members of the Payments team")


def test_pull_needs_a_channel(fakes, relay, playbook):
    key = new_ticket(relay)
    esc(fakes, relay, uid(playbook, "james.whitfield"), f"pull {key} platform")
    assert fakes.told() == f"{key} has no open war room or swarm channel."
    assert stored(relay, key).severity == 3


def test_timeline_pages_in_the_channel_escaped_and_only_for_who_may_see(fakes, relay, playbook):
    key, room = war_room(relay)
    admin, amara = uid(playbook, "fatima.haddad"), uid(playbook, "amara.okafor")
    for n in range(25):  # enough for a second page
        esc(fakes, relay, admin, f"sev {key} {2 if n % 2 == 0 else 1} <!channel> step {n}")
    fakes.calls.clear()
    typed_in(fakes, relay, amara, room, "timeline")
    [answer] = fakes.of("respond")
    assert answer["response_type"] == "ephemeral"
    text = str(answer["blocks"])
    assert f"Timeline of {key}* (page 1 of" in text and "Opened" in text
    assert f"/esc timeline {key} 2" in text
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    fakes.calls.clear()
    esc(fakes, relay, amara, f"timeline {key} 2")
    assert "(page 2 of" in str(fakes.of("respond")[0]["blocks"])
    for typed, said in [
        (f"timeline {key} 99", "timeline pages"),
        (f"timeline {key} two", "The page is a number"),
        ("timeline", "Which ticket?"),
    ]:
        fakes.calls.clear()
        esc(fakes, relay, amara, typed)
        assert said in fakes.told()


def test_a_confidential_timeline_is_not_shown_to_outsiders(fakes, relay, playbook):
    key = new_ticket(relay, escalation_type="security", title="Leaked key")
    esc(fakes, relay, uid(playbook, "wei.lim"), f"timeline {key}")
    assert "Leaked key" not in fakes.told() and not fakes.of("respond")[0].get("blocks")
    fakes.calls.clear()
    esc(fakes, relay, uid(playbook, "marcus.bell"), f"timeline {key}")  # accountable
    assert f"Timeline of {key}" in str(fakes.of("respond")[0]["blocks"])
