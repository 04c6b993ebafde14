"""The simulated workspace a drill (or a test) runs in, built from the playbook."""

from dataclasses import dataclass, field

from app.simulator import SlackSimulator


@dataclass
class Workspace:
    """Who and what the simulated workspace holds: handle -> user id, name -> channel id."""

    users: dict[str, str] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # id -> display name, for transcripts


REPORTS = "escalation-reports"


def seed_workspace(sim: SlackSimulator, playbook, scenario: dict | None = None) -> Workspace:
    """Create the playbook's people, queue channels and reporting channel, then the
    scenario's guests and channels."""
    scenario = scenario or {}
    ws = Workspace()
    for handle, person in playbook.people.items():
        ws.users[handle] = sim.add_user(
            handle, id=person.slack_id, real_name=person.name, tz=person.tz, email=person.email
        )
        ws.names[person.slack_id] = person.name
    for handle, guest in (scenario.get("guests") or {}).items():
        ws.users[handle] = uid = sim.add_user(handle, real_name=guest.get("name", handle))
        ws.names[uid] = guest.get("name", handle)
    for key, team in playbook.teams.items():
        members = sorted(playbook.team_member_ids(key))
        sim.add_channel(team.queue_channel_name, id=team.queue_channel, members=members)
        ws.channels[team.queue_channel_name] = team.queue_channel
        ws.names[team.queue_channel] = team.queue_channel_name
    everyone = sorted(ws.users.values())
    for key, customer in playbook.customers.items():
        if customer.channel:
            sim.add_channel(f"ext-{key}", id=customer.channel, members=everyone)
            ws.channels[f"ext-{key}"] = customer.channel
            ws.names[customer.channel] = f"ext-{key}"
    reporting = playbook.reporting
    if reporting is not None and reporting.channel not in ws.names:  # the weekly report's
        ws.channels[REPORTS] = sim.add_channel(REPORTS, id=reporting.channel)
        ws.names[reporting.channel] = REPORTS
    for name, spec in (scenario.get("channels") or {}).items():
        wanted = spec.get("members", ["everyone"])
        members = list(ws.users.values()) if "everyone" in wanted else []
        members += [ws.users[m] for m in wanted if m != "everyone"]
        ws.channels[name] = sim.add_channel(name, members=sorted(set(members)))
        ws.names[ws.channels[name]] = name
    ws.names[sim.bot_user_id] = "Relay"
    return ws
