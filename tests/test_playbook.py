import subprocess
import sys
from datetime import date, time
from pathlib import Path

import pytest
import yaml

from app.playbook import Playbook, PlaybookError, check_playbook, load_playbook

SHIPPED = Path(__file__).resolve().parents[1] / "playbook.yml"

AMARA = "U0HW88GQ274"  # payments L1 primary
TOM = "U0RAFHUG4A7"  # on payments only as a member of the payments-l1 group (L1 secondary)
WEI = "U0N2K4AFA4F"  # on identity only as a member of the identity-l1 group (L1 primary)
HELEN = "U0B86WV4WH7"  # payments member, executive
FATIMA = "U06BJ9P9JLM"  # admin, on no team
NOAH = "U03CUW5G48S"  # platform


@pytest.fixture(scope="module")
def playbook() -> Playbook:
    return load_playbook(SHIPPED)


@pytest.fixture
def data() -> dict:
    return yaml.load(SHIPPED.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "playbook.yml"
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    path.write_text(yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True))
    return path


# --- the shipped example ----------------------------------------------------------------


def test_shipped_playbook_is_valid(playbook):
    assert check_playbook(SHIPPED) == []
    assert list(playbook.severities) == ["sev1", "sev2", "sev3", "sev4"]
    assert {"payments", "platform", "identity"} <= set(playbook.teams)
    assert {c.tier for c in playbook.customers.values()} == {"strategic", "enterprise", "standard"}
    assert len({person.tz for person in playbook.people.values()}) >= 3
    assert playbook.escalation_types["security"].confidential
    assert playbook.escalation_types["security"].requires_approval
    assert any(customer.channel for customer in playbook.customers.values())


def test_severity_lookup(playbook):
    assert playbook.severity(1).name == "Sev1"
    assert playbook.severity(1).actions.war_room
    assert playbook.severity(4).calendar == "business_hours"
    sev1 = playbook.severity(1)
    assert (sev1.handoff_minutes, sev1.manager_renotify_minutes) == (5, 30)
    with pytest.raises(ValueError, match="1, 2, 3 or 4"):
        playbook.severity(5)


@pytest.mark.parametrize(
    ("level", "customer", "expected"),
    [
        (1, None, (15, 240)),  # the matrix as it is
        (1, "umbrella-clinics", (15, 240)),  # standard: factors 1.0
        (1, "acme-bank", (8, 180)),  # strategic 0.5 / 0.75; 7.5 rounds up
        (3, "globex", (180, 1296)),  # enterprise 0.75 / 0.9
        (2, "hooli-health", (15, 360)),
    ],
)
def test_targets_apply_customer_tier_factors(playbook, level, customer, expected):
    assert playbook.targets(level, customer) == expected


def test_targets_are_at_least_one_minute(tmp_path, data):
    data["customer_tiers"]["strategic"]["response_factor"] = 0.01
    playbook = load_playbook(write(tmp_path, data))
    assert playbook.targets(1, "acme-bank") == (1, 180)
    with pytest.raises(KeyError):
        playbook.targets(1, "no-such-customer")


def test_handoff_and_manager_renotify_have_defaults(tmp_path, data):
    del data["severities"]["sev2"]["handoff_minutes"]
    del data["severities"]["sev2"]["manager_renotify_minutes"]
    sev2 = load_playbook(write(tmp_path, data)).severity(2)
    assert (sev2.handoff_minutes, sev2.manager_renotify_minutes) == (15, 60)


def test_reopen_window_defaults_to_a_week(tmp_path, data, playbook):
    assert playbook.reopen_window_days == 7
    del data["reopen_window_days"]
    assert load_playbook(write(tmp_path, data)).reopen_window_days == 7


def test_team_members_include_tier_groups_manager_and_members(playbook):
    payments = playbook.team_member_ids("payments")
    assert AMARA in payments
    assert TOM in payments  # only through the payments-l1 group
    assert WEI in playbook.team_member_ids("identity")  # only through the identity-l1 group
    assert WEI not in payments
    assert playbook.user_id("james.whitfield") in payments  # manager
    assert HELEN in payments  # listed member
    assert playbook.user_id("sofia.marin") in payments  # L3 primary
    assert NOAH not in payments
    assert FATIMA not in payments


def test_may_act_is_team_members_and_admins(playbook):
    assert playbook.may_act(AMARA, "payments")
    assert playbook.may_act(TOM, "payments")
    assert not playbook.may_act(AMARA, "platform")
    assert playbook.may_act(FATIMA, "platform")  # admin
    assert playbook.is_admin(FATIMA)
    assert not playbook.is_admin(AMARA)
    assert playbook.is_approver(HELEN) and not playbook.is_approver(AMARA)
    assert not playbook.may_act("U0NOTINBOOK", "payments")


def test_internal_fields_default_to_all_but_the_title(tmp_path, data):
    del data["internal_fields"]
    del data["templates"]["customer_resolution"]  # a built-in one takes its place
    playbook = load_playbook(write(tmp_path, data))
    assert "title" not in playbook.internal_fields
    assert {"description", "owner", "team", "tier", "severity"} <= set(playbook.internal_fields)
    assert "{owner}" not in playbook.templates["customer_resolution"]
    data["templates"]["customer_update"] = "{title} by {team}"
    data["internal_fields"] = ["description"]  # team unmarked: a customer may see it
    assert load_playbook(write(tmp_path, data)).internal_fields == ["description"]


def test_handles_and_user_ids(playbook):
    assert playbook.user_id("tom.hughes") == TOM
    assert playbook.handles_to_user_ids(["payments-l1", "helen.carter"]) == {AMARA, TOM, HELEN}
    handle, person = playbook.person_by_user_id(FATIMA)
    assert handle == "fatima.haddad"
    assert person.tz == "Europe/London"
    assert playbook.person_by_user_id("U0NOTINBOOK") is None
    with pytest.raises(KeyError):
        playbook.user_id("payments-l1")  # a group, not a person


def test_render_template(playbook):
    text = playbook.render_template(
        "resolution_notice", key="ESC-7", title="Refunds stuck", summary="Queue drained"
    )
    assert "*ESC-7 resolved:* Refunds stuck" in text
    assert "Queue drained" in text
    assert "Resolved by — (—)" in text  # fields not given show as a dash
    assert "{" not in text
    with pytest.raises(ValueError, match="ceo"):
        playbook.render_template("resolution_notice", ceo="x")
    with pytest.raises(KeyError):
        playbook.render_template("no_such_template")


def test_business_calendar_honours_holidays_and_closed_dates(playbook):
    payments = playbook.teams["payments"].calendar
    assert payments.opening_hours(date(2026, 12, 23)) == (time(8), time(18))
    assert payments.opening_hours(date(2026, 12, 24)) is None  # closed date
    assert payments.opening_hours(date(2026, 12, 25)) is None  # GB holiday
    assert payments.opening_hours(date(2026, 12, 26)) is None  # Saturday: not listed
    platform = playbook.teams["platform"].calendar
    assert platform.opening_hours(date(2026, 11, 26)) is None  # Thanksgiving (US)
    assert platform.opening_hours(date(2026, 11, 24)) == (time(9), time(17))
    identity = playbook.teams["identity"].calendar
    assert identity.opening_hours(date(2026, 8, 10)) is None  # SG National Day (observed)
    assert identity.opening_hours(date(2026, 8, 15)) == (time(9), time(13))  # a Saturday
    assert str(identity.zone) == "Asia/Singapore"


def test_holiday_calendars_import_only_the_countries_the_playbook_names():
    """The `holidays` package would import all ~250 of its countries (about 8 MB in every
    process) for one calendar; loading the shipped playbook and asking each team's calendar
    imports GB, US and SG only, in a fresh interpreter."""
    script = (
        "import sys\n"
        "from datetime import date\n"
        "from app.playbook import load_playbook\n"
        f"pb = load_playbook({str(SHIPPED)!r})\n"
        "closed = [t.calendar.is_holiday(date(2026, 12, 25)) for t in pb.teams.values()]\n"
        "print(sorted(m for m in sys.modules if m.startswith('holidays.countries.')))\n"
        "print(closed)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=SHIPPED.parent,
    )
    imported, closed = done.stdout.splitlines()
    assert imported == str(
        [
            "holidays.countries.singapore",
            "holidays.countries.united_kingdom",
            "holidays.countries.united_states",
        ]
    )
    assert closed == "[True, True, True]"  # Christmas Day in GB, US and SG


# --- broken playbooks ---------------------------------------------------------------------


def _delete(mapping: dict, key: str) -> None:
    del mapping[key]


BROKEN = [
    pytest.param(
        lambda d: d["teams"]["payments"]["tiers"]["L2"].update(primary="bob"),
        "teams.payments.tiers.L2.primary",
        "unknown person or group 'bob' (people: amara.okafor, anika.rao,",
        id="unknown-tier-owner",
    ),
    pytest.param(
        lambda d: d["teams"]["platform"].update(manager="payments-l1"),
        "teams.platform.manager",
        "unknown person 'payments-l1'",
        id="group-as-manager",
    ),
    pytest.param(
        lambda d: _delete(d["severities"], "sev3"),
        "severities.sev3",
        "missing",
        id="missing-sev3",
    ),
    pytest.param(
        lambda d: d["severities"].update(sev5=d["severities"]["sev4"]),
        "severities.sev5",
        "unknown severity",
        id="extra-sev5",
    ),
    pytest.param(
        lambda d: d["severities"]["sev1"].update(warning_lead_minutes=15),
        "severities.sev1.warning_lead_minutes",
        "must be less than response_minutes (15)",
        id="warning-lead-not-before-response",
    ),
    pytest.param(
        lambda d: d["severities"]["sev1"].update(response_minutes=0),
        "severities.sev1.response_minutes",
        "Input should be greater than 0",
        id="zero-response",
    ),
    pytest.param(
        lambda d: d["severities"]["sev3"].update(handoff_minutes=0),
        "severities.sev3.handoff_minutes",
        "Input should be greater than 0",
        id="zero-handoff",
    ),
    pytest.param(
        lambda d: d["severities"]["sev1"].update(manager_renotify_minutes=-5),
        "severities.sev1.manager_renotify_minutes",
        "Input should be greater than 0",
        id="negative-manager-renotify",
    ),
    pytest.param(
        lambda d: d["severities"]["sev2"].update(resolution_minutes=20),
        "severities.sev2.resolution_minutes",
        "must be at least response_minutes (30)",
        id="resolution-before-response",
    ),
    pytest.param(
        lambda d: d["severities"]["sev2"].update(calendar="weekdays"),
        "severities.sev2.calendar",
        "'24x7' or 'business_hours'",
        id="bad-clock-calendar",
    ),
    pytest.param(
        lambda d: d["people"]["wei.lim"].update(tz="Mars/Olympus"),
        "people.wei.lim.tz",
        "unknown time zone 'Mars/Olympus'",
        id="bad-person-timezone",
    ),
    pytest.param(
        lambda d: d["teams"]["identity"]["calendar"].update(timezone="GMT+8 Singapore"),
        "teams.identity.calendar.timezone",
        "unknown time zone",
        id="bad-calendar-timezone",
    ),
    pytest.param(
        lambda d: d["teams"]["identity"]["calendar"]["holidays"].update(country="XX"),
        "teams.identity.calendar.holidays.country",
        "unknown holiday country 'XX'",
        id="bad-holiday-country",
    ),
    pytest.param(
        lambda d: d["teams"]["platform"]["calendar"]["holidays"].update(subdiv="ZZ"),
        "teams.platform.calendar.holidays.subdiv",
        "unknown subdivision 'ZZ' for US (known: AK,",
        id="bad-holiday-subdivision",
    ),
    pytest.param(
        lambda d: d["teams"]["payments"]["calendar"]["hours"].update(mon="18:00-09:00"),
        "teams.payments.calendar.hours.mon",
        "opening time must be before closing time",
        id="hours-backwards",
    ),
    pytest.param(
        lambda d: d["teams"]["payments"]["calendar"]["hours"].update(monday="09:00-17:00"),
        "teams.payments.calendar.hours.monday",
        "invalid name: Input should be 'mon'",
        id="weekday-misspelt",
    ),
    pytest.param(
        lambda d: d["teams"]["payments"]["calendar"].update(hours={}),
        "teams.payments.calendar.hours",
        "at least one open day",
        id="never-open",
    ),
    pytest.param(
        lambda d: d["templates"].update(executive_brief="{title} for {ceo}"),
        "templates.executive_brief",
        "unknown placeholder {ceo} (allowed: actions, customer, customer_tier, decision,",
        id="unknown-placeholder",
    ),
    pytest.param(
        lambda d: d["templates"].update(situation_update="{owner.name} {title}"),
        "templates.situation_update",
        "unknown placeholder {owner.name}",
        id="attribute-placeholder",
    ),
    pytest.param(
        lambda d: d["templates"].update(customer_update="Dear {customer"),
        "templates.customer_update",
        "malformed template",
        id="unclosed-brace",
    ),
    pytest.param(
        lambda d: _delete(d["templates"], "resolution_notice"),
        "templates.resolution_notice",
        "missing",
        id="missing-template",
    ),
    pytest.param(
        lambda d: d["customers"]["globex"].update(tier="gold"),
        "customers.globex.tier",
        "unknown customer tier 'gold' (customer_tiers: enterprise, standard, strategic)",
        id="unknown-customer-tier",
    ),
    pytest.param(
        lambda d: d["customers"]["initech"].update(exec_sponsor="ceo"),
        "customers.initech.exec_sponsor",
        "unknown person 'ceo'",
        id="unknown-exec-sponsor",
    ),
    pytest.param(
        lambda d: d["teams"]["platform"].update(queue_channel="c0123"),
        "teams.platform.queue_channel",
        "'c0123' is not a Slack channel id",
        id="malformed-channel-id",
    ),
    pytest.param(
        lambda d: d["customers"]["acme-bank"].update(channel="G0SEA2S2ADG"),
        "customers.acme-bank.channel",
        "is not a Slack channel id",
        id="malformed-customer-channel",
    ),
    pytest.param(
        lambda d: d["teams"]["platform"].update(queue_channel_name="#Esc Platform"),
        "teams.platform.queue_channel_name",
        "is not a Slack channel name",
        id="bad-channel-name",
    ),
    pytest.param(
        lambda d: d["people"]["noah.kim"].update(slack_id="noah"),
        "people.noah.kim.slack_id",
        "'noah' is not a Slack user id",
        id="malformed-user-id",
    ),
    pytest.param(
        lambda d: d["groups"]["payments-l1"].update(slack_id="U00T32F0VMY"),
        "groups.payments-l1.slack_id",
        "is not a Slack user group id",
        id="group-with-user-id",
    ),
    pytest.param(
        lambda d: d["groups"]["platform-oncall"]["members"].append("ghost"),
        "groups.platform-oncall.members[2]",
        "unknown person 'ghost'",
        id="unknown-group-member",
    ),
    pytest.param(
        lambda d: d["people"].update({"Bob": d["people"]["tom.hughes"]}),
        "people.Bob",
        "invalid name: 'Bob' is not a handle",
        id="uppercase-handle",
    ),
    pytest.param(
        lambda d: d["groups"].update({"tom.hughes": d["groups"]["payments-l1"]}),
        "groups.tom.hughes",
        "handle is also used by a person",
        id="handle-clash",
    ),
    pytest.param(
        lambda d: d["teams"].update({"Payments EU": d["teams"]["payments"]}),
        "teams.Payments EU",
        "invalid name: 'Payments EU' is not a team key",
        id="bad-team-key",
    ),
    pytest.param(
        lambda d: _delete(d["teams"]["identity"]["tiers"], "L3"),
        "teams.identity.tiers",
        "missing L3",
        id="missing-tier",
    ),
    pytest.param(
        lambda d: d["teams"]["payments"]["runbooks"][0].update(url="http://wiki.example/x"),
        "teams.payments.runbooks[0].url",
        "is not an https:// link",
        id="runbook-not-https",
    ),
    pytest.param(
        lambda d: d["teams"]["payments"].update(queue_chanel="C0LYPHTPUTJ"),
        "teams.payments.queue_chanel",
        "unknown field",
        id="misspelt-field",
    ),
    pytest.param(
        lambda d: d["classification"][0].update(teams=["payment"]),
        "classification[0].teams[0]",
        "unknown team 'payment' (did you mean 'payments'?",
        id="rule-unknown-team",
    ),
    pytest.param(
        lambda d: d["classification"].append({"name": "Empty", "severity": 2}),
        "classification[8]",
        "at least one of keywords, teams or impact",
        id="rule-without-conditions",
    ),
    pytest.param(
        lambda d: d["classification"][1].update(severity=0),
        "classification[1].severity",
        "Input should be greater than or equal to 1",
        id="rule-bad-severity",
    ),
    pytest.param(
        lambda d: d["escalation_types"]["security"]["raci"].update(informed=["execs"]),
        "escalation_types.security.raci.informed[0]",
        "unknown person, group or role 'execs' (did you mean 'executives'?",
        id="raci-unknown",
    ),
    pytest.param(
        lambda d: d["escalation_types"]["billing"]["raci"].update(accountable=[]),
        "escalation_types.billing.raci.accountable",
        "List should have at least 1 item",
        id="raci-nobody-accountable",
    ),
    pytest.param(
        lambda d: d["roles"]["approvers"].append("security-response"),
        "roles.approvers[3]",
        "unknown person 'security-response'",
        id="group-as-approver",
    ),
    pytest.param(
        lambda d: d.update(default_severity=5),
        "default_severity",
        "Input should be less than or equal to 4",
        id="bad-default-severity",
    ),
    pytest.param(
        lambda d: d.update(reopen_window_days=0),
        "reopen_window_days",
        "Input should be greater than or equal to 1",
        id="reopen-window-too-short",
    ),
    pytest.param(
        lambda d: d["severities"]["sev2"]["actions"].update(war_room=True),
        "severities.sev2.actions",
        "war_room and swarm exclude each other",
        id="war-room-and-swarm",
    ),
    pytest.param(
        lambda d: d["roles"].update(ic_eligible=[]),
        "severities.sev1.actions.war_room",
        "needs at least one person in roles.ic_eligible",
        id="war-room-without-ic",
    ),
    pytest.param(
        lambda d: d.update(incidents={"archive_after_hours": 0}),
        "incidents.archive_after_hours",
        "greater than or equal to 1",
        id="archive-delay",
    ),
    pytest.param(
        lambda d: d.update(reporting={"channel": "C0LEADERS01", "time": "9am"}),
        "reporting.time",
        "'9am' is not a time of day like '09:00'",
        id="report-time",
    ),
    pytest.param(
        lambda d: d.update(reporting={"channel": "C0LEADERS01", "weekday": "monday"}),
        "reporting.weekday",
        "Input should be 'mon', 'tue'",
        id="report-weekday",
    ),
    pytest.param(
        lambda d: d.update(reporting={"channel": "#leaders", "timezone": "Mars/Base"}),
        "reporting.channel",
        "a Slack channel id",
        id="report-channel",
    ),
    pytest.param(
        lambda d: d.update(reporting={"channel": "C0LEADERS01", "weeks": 27}),
        "reporting.weeks",
        "less than or equal to 26",
        id="report-weeks",
    ),
    pytest.param(
        lambda d: d["templates"].update(customer_update="Owner: {owner}"),
        "templates.customer_update",
        "placeholder {owner} shows a ticket field marked internal (internal_fields)",
        id="customer-template-internal-field",
    ),
    pytest.param(
        lambda d: (
            d.update(internal_fields=["description"])
            or d["templates"].update(customer_resolution="{key} by {team}; ask {decision}")
        ),
        "templates.customer_resolution",
        "placeholder {decision} is never shown to customers",
        id="customer-template-decision",
    ),
    pytest.param(
        lambda d: d.update(internal_fields=["title"]),
        "templates.customer_update",
        "placeholder {title} shows a ticket field marked internal",
        id="title-marked-internal",
    ),
    pytest.param(
        lambda d: d.update(internal_fields=["description", "notes"]),
        "internal_fields[1]",
        "'business_rationale'",
        id="unknown-internal-field",
    ),
    pytest.param(
        lambda d: d.update(version=2),
        "version",
        "Input should be 1",
        id="unsupported-version",
    ),
    pytest.param(
        lambda d: _delete(d, "people"),
        "people",
        "required field is missing",
        id="no-people",
    ),
]


@pytest.mark.parametrize(("mutate", "path", "message"), BROKEN)
def test_broken_playbook_names_the_field(tmp_path, data, mutate, path, message):
    mutate(data)
    errors = check_playbook(write(tmp_path, data))
    assert errors, "the broken playbook was accepted"
    matching = [e for e in errors if e.startswith(f"{path}: ")]
    assert matching, f"no error for {path}: {errors}"
    assert any(message in e for e in matching), matching
    with pytest.raises(PlaybookError) as raised:
        load_playbook(write(tmp_path, data))
    assert raised.value.errors == errors


def test_one_mistake_gives_one_error(tmp_path, data):
    data["people"]["wei.lim"]["tz"] = "Mars/Olympus"  # wei.lim is referenced by a group
    assert check_playbook(write(tmp_path, data)) == [
        "people.wei.lim.tz: unknown time zone 'Mars/Olympus' (use an IANA name such as "
        "'Europe/London')"
    ]


def test_every_problem_is_reported_at_once(tmp_path, data):
    data["severities"]["sev1"]["response_minutes"] = 0
    data["teams"]["payments"]["tiers"]["L2"]["primary"] = "bob"
    data["teams"]["payments"]["queue_channel"] = "payments"  # same team, another problem
    data["customers"]["globex"]["tier"] = "gold"
    data["templates"]["executive_brief"] = "{ceo}"
    data["roles"]["admins"] = ["nobody"]
    errors = check_playbook(write(tmp_path, data))
    assert [e.split(":", 1)[0] for e in errors] == [
        "severities.sev1.response_minutes",
        "teams.payments.queue_channel",
        "teams.payments.tiers.L2.primary",
        "customers.globex.tier",
        "roles.admins[0]",
        "templates.executive_brief",
    ]
    with pytest.raises(PlaybookError) as raised:
        load_playbook(write(tmp_path, data))
    assert "6 problems" in str(raised.value)
    assert "  - customers.globex.tier: unknown customer tier 'gold'" in str(raised.value)


def test_blank_sections_are_empty_but_required_ones_are_missing(tmp_path, data):
    data["customers"] = None
    data["classification"] = None
    playbook = load_playbook(write(tmp_path, data))
    assert (playbook.customers, playbook.classification) == ({}, [])
    data["people"] = None  # referenced everywhere: one error, not one per reference
    assert check_playbook(write(tmp_path, data)) == ["people: required field is missing"]


def test_bad_yaml_reports_the_line(tmp_path):
    path = tmp_path / "playbook.yml"
    path.write_text("version: 1\npeople:\n  alice: {slack_id: U0123456789\n  bob: 2\n")
    [error] = check_playbook(path)
    assert error.startswith(f"{path}: invalid YAML at line 4")


def test_duplicate_keys_are_refused(tmp_path):
    path = tmp_path / "playbook.yml"
    path.write_text("teams:\n  payments: {}\n  payments: {}\n")
    [error] = check_playbook(path)
    assert "line 3" in error
    assert "duplicate key 'payments'" in error


@pytest.mark.parametrize(("text", "found"), [("", "an empty file"), ("- a\n- b\n", "a list")])
def test_not_a_mapping(tmp_path, text, found):
    path = tmp_path / "playbook.yml"
    path.write_text(text)
    assert check_playbook(path) == [f"(top level): expected a mapping of sections, found {found}"]


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.yml"
    with pytest.raises(PlaybookError) as raised:
        load_playbook(path)
    assert raised.value.errors == [f"{path}: file not found"]


def test_models_cannot_be_built_with_dangling_references(data):
    data["roles"]["admins"] = ["nobody"]
    with pytest.raises(PlaybookError) as raised:
        Playbook.model_validate(data)
    assert raised.value.errors[0].startswith("roles.admins[0]: unknown person 'nobody'")
