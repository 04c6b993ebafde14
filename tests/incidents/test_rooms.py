"""War rooms and swarms in the domain: who gets a channel, who is invited, who leads,
what a raise, a resolution and the archive timer do."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app import deadlines, incidents
from app.errors import Forbidden, Invalid
from app.incidents import roles, rooms
from app.models import Channel, Status
from app.tickets.access import incident_commander
from tests.sla.test_escalation import MON_0900, open_sev3, uid


def sev(db, playbook, severity, **overrides):
    fields = dict(severity=severity, override_reason="drill" if severity != 3 else None)
    fields.update(overrides)
    return open_sev3(db, playbook, **fields)


def timers_of(db, ticket):
    return deadlines.wanted(db, rooms.TIMERS, [ticket.id])[ticket.id]


def test_sev1_opens_a_war_room_led_by_an_eligible_declarer(db, playbook):
    ticket = sev(db, playbook, 1, customer="acme-bank", title="Checkout down")
    rachel = uid(playbook, "rachel.stone")
    events = incidents.on_severity(db, playbook, ticket, by=rachel, now=MON_0900)
    assert [e.kind for e in events] == ["war_room.opened", "role.assigned"]
    opened = events[0].after
    assert opened["name"] == f"inc-{ticket.key.lower()}-checkout-down"
    assert opened["private"] is False
    assert incidents.holders(db, ticket) == {"ic": rachel}
    assert incident_commander(ticket) == rachel
    # RACI of `technical`: tier primary (Amara), manager (James), tier secondary (group
    # payments-l1: Amara, Tom); then the IC and the reporter (Amara), once each.
    names = [playbook.person_by_user_id(u)[0] for u in opened["invite"]]
    assert names == ["amara.okafor", "james.whitfield", "tom.hughes", "rachel.stone"]


def test_a_declarer_who_is_not_eligible_gets_the_first_eligible_of_the_team(db, playbook):
    ticket = sev(db, playbook, 1)
    amara = uid(playbook, "amara.okafor")
    incidents.on_severity(db, playbook, ticket, by=amara, now=MON_0900)
    assert incidents.commander(db, ticket) == uid(playbook, "priya.shah")  # L2 primary


def test_sev2_swarms_with_a_facilitator_and_a_confidential_type_is_private(db, playbook):
    ticket = sev(db, playbook, 2, escalation_type="security", title="Leaked key")
    events = incidents.on_severity(db, playbook, ticket, by=None, now=MON_0900)
    assert events[0].kind == "swarm.opened" and events[0].after["private"] is True
    assert events[0].after["name"].startswith("swarm-")
    assert set(incidents.holders(db, ticket)) == {"facilitator"}
    security = playbook.handles_to_user_ids(["security-response"])
    assert security <= set(events[0].after["invite"])


def test_sev3_gets_nothing_and_a_second_call_opens_nothing_twice(db, playbook):
    assert incidents.on_severity(db, playbook, open_sev3(db, playbook), by=None, now=MON_0900) == []
    ticket = sev(db, playbook, 1)
    incidents.on_severity(db, playbook, ticket, by=None, now=MON_0900)
    assert incidents.on_severity(db, playbook, ticket, by=None, now=MON_0900) == []
    assert len(db.scalars(select(Channel).where(Channel.ticket_id == ticket.id)).all()) == 1


def test_raising_a_swarm_to_sev1_renames_it_and_names_an_ic(db, playbook):
    ticket = sev(db, playbook, 2, title="Slow API")
    incidents.on_severity(db, playbook, ticket, by=None, now=MON_0900)
    ticket.severity = 1
    events = incidents.on_severity(db, playbook, ticket, by=None, now=MON_0900)
    assert [e.kind for e in events] == ["channel.renamed", "role.assigned"]
    channel = rooms.channel_of(db, ticket)
    assert channel.purpose == "war_room" and channel.name.startswith("inc-")
    assert events[0].before["name"].startswith("swarm-")
    assert "ic" in incidents.holders(db, ticket)


def test_related_open_tickets_of_the_customer_are_listed(db, playbook):
    other = open_sev3(db, playbook, customer="acme-bank")
    ticket = sev(db, playbook, 1, customer="acme-bank")
    events = incidents.on_severity(db, playbook, ticket, by=None, now=MON_0900)
    related = events[0].after["related"]
    assert other.key in related and ticket.key not in related


def test_resolving_arms_the_archive_timer_and_reopening_disarms_it(db, playbook):
    ticket = sev(db, playbook, 1)
    incidents.on_severity(db, playbook, ticket, by=None, now=MON_0900)
    [event] = incidents.on_resolved(db, playbook, ticket, now=MON_0900)
    due = MON_0900 + timedelta(hours=playbook.incidents.archive_after_hours)
    assert event.kind == "channel.resolved"
    assert timers_of(db, ticket) == {"channel.archive": due}
    incidents.on_reopened(db, ticket)
    assert timers_of(db, ticket) == {}
    incidents.on_resolved(db, playbook, ticket, now=MON_0900)
    assert incidents.act_on_due(db, ticket, now=due - timedelta(minutes=1), due=["x"]) == []
    [archived] = incidents.act_on_due(db, ticket, now=due, due=["channel.archive"])
    assert archived.kind == "channel.archived"
    assert timers_of(db, ticket) == {}
    assert incidents.act_on_due(db, ticket, now=due, due=["channel.archive"]) == []


def test_a_resolved_ticket_gets_no_channel(db, playbook):
    ticket = sev(db, playbook, 1)
    ticket.status = Status.RESOLVED
    assert incidents.on_severity(db, playbook, ticket, by=None, now=MON_0900) == []


def test_roles_are_handed_over_by_the_ic_approvers_and_admins_only(db, playbook):
    ticket = sev(db, playbook, 1)
    rachel, tom = uid(playbook, "rachel.stone"), uid(playbook, "tom.hughes")
    incidents.on_severity(db, playbook, ticket, by=rachel, now=MON_0900)
    with pytest.raises(Forbidden):
        incidents.assign_role(db, playbook, ticket, role="comms", to=tom, by=tom, now=MON_0900)
    with pytest.raises(Invalid, match="IC-eligible"):
        incidents.assign_role(db, playbook, ticket, role="ic", to=tom, by=rachel, now=MON_0900)
    with pytest.raises(Invalid, match="not a role"):
        incidents.assign_role(db, playbook, ticket, role="boss", to=tom, by=rachel, now=MON_0900)
    event = incidents.assign_role(
        db, playbook, ticket, role="comms", to=tom, by=rachel, now=MON_0900
    )
    room = rooms.channel_of(db, ticket).id
    assert event.after == {"role": "comms", "user": tom, "channel": room, "notify": [tom]}
    again = incidents.assign_role(
        db, playbook, ticket, role="comms", to=tom, by=rachel, now=MON_0900
    )
    assert again is None
    fatima = uid(playbook, "fatima.haddad")  # an admin
    noah = uid(playbook, "noah.kim")
    moved = incidents.assign_role(db, playbook, ticket, role="ic", to=noah, by=fatima, now=MON_0900)
    assert moved.before == {"role": "ic", "user": rachel}
    assert roles.commander(db, ticket) == noah
