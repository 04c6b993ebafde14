"""`relay drill`: the shipped scenario passes; a broken expectation fails the drill."""

import io

import yaml

from app.drills.runner import run_drill
from app.drills.scenario import SCENARIOS


def test_shipped_scenario_passes_and_tells_who_saw_what():
    out = io.StringIO()
    assert run_drill("escalate-message", out=out) == 0
    transcript = out.getvalue()
    assert "12/12 expectations met." in transcript
    assert "#esc-payments sees a message:\n            ESC-1 Checkout is down" in transcript
    assert "Amara Okafor sees, only to them in #acme-support: Opened ESC-1" in transcript
    assert "✗" not in transcript


def test_failed_expectation_exits_non_zero(tmp_path):
    scenario = yaml.safe_load((SCENARIOS / "escalate-message.yml").read_text())
    scenario["expect"].append({"seen_by": "#esc-payments", "contains": "ESC-2", "say": "a 2nd"})
    path = tmp_path / "broken.yml"
    path.write_text(yaml.safe_dump(scenario))
    out = io.StringIO()
    assert run_drill(str(path), out=out) == 1
    assert "✗ a 2nd (found 0, wanted at least 1)" in out.getvalue()


def test_unknown_scenario_lists_the_shipped_ones():
    out = io.StringIO()
    assert run_drill("no-such-drill", out=out) == 2
    assert "escalate-message" in out.getvalue()


def test_sev3_breach_drill_warns_breaches_and_hands_off_once_and_on_time():
    out = io.StringIO()
    assert run_drill("sev3-breach", out=out) == 0
    transcript = out.getvalue()
    assert "19/19 expectations met." in transcript
    assert "[12:01:00] Time passes." in transcript  # the warning, one hour before 13:01
    assert "Lukas Becker gets a DM from Relay: ESC-1 (Sev3, Payments L2) is handed to you" in (
        transcript
    )


def test_a_late_notice_fails_the_drill(tmp_path):
    scenario = yaml.safe_load((SCENARIOS / "sev3-breach.yml").read_text())
    warned = scenario["steps"][2]["expect"][0]
    warned["by"] = "03:00:00"  # a minute before the warning is due
    path = tmp_path / "late.yml"
    path.write_text(yaml.safe_dump(scenario))
    out = io.StringIO()
    assert run_drill(str(path), out=out) == 1
    assert "✗ the L1 primary is warned an hour before, once (found 0, wanted 1)" in out.getvalue()


def _drill(tmp_path, scenario: dict) -> tuple[int, str]:
    path = tmp_path / "drill.yml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False))
    out = io.StringIO()
    return run_drill(str(path), out=out), out.getvalue()


NEW_SEV3 = [
    {"at": "00:00", "actor": "amara.okafor", "command": "/esc new Refund export fails"},
    {
        "at": "01:00",
        "actor": "amara.okafor",
        "submit": {
            "description": "The nightly refund export stops with an error.",
            "impact": "Finance exports by hand.",
            "team": "payments",
            "customer": "initech",
            "escalation_type": "technical",
        },
    },
]


def test_a_drill_may_start_on_a_saturday_night_in_a_zone(tmp_path):
    """Payments works 08:00-18:00 London; a Sev3 opened Saturday 22:00 is due Monday 12:00."""
    scenario = {
        "name": "weekend",
        "start": "2026-11-28 22:00 Europe/London",
        "channels": {"support": {"members": ["everyone"]}},
        "home_channel": "support",
        "steps": [
            NEW_SEV3[0],
            {
                **NEW_SEV3[1],
                "expect": [
                    {
                        "seen_by": "#esc-payments",
                        "kind": "message",
                        "contains": "due Mon 30 Nov 12:00 GMT · on track",
                        "count": 1,
                    }
                ],
            },
        ],
    }
    code, transcript = _drill(tmp_path, scenario)
    assert code == 0, transcript
    assert "Starts Sat 28 Nov 2026 22:00 GMT; times below are scenario time, GMT." in transcript
    assert "[22:01:00] Amara Okafor fills in “New escalation”" in transcript


def test_a_start_in_another_zone_is_that_zones_wall_clock(tmp_path):
    """09:00 in New York is 14:00 in London: 4 business hours end 08:01 the next day."""
    scenario = {
        "name": "new-york",
        "start": "2026-11-23 09:00 America/New_York",
        "channels": {"support": {"members": ["everyone"]}},
        "home_channel": "support",
        "steps": [
            NEW_SEV3[0],
            {
                **NEW_SEV3[1],
                "expect": [{"seen_by": "#esc-payments", "contains": "due Tue 24 Nov 08:01 GMT"}],
            },
            {"at": "15:00:00"},
        ],
    }
    code, transcript = _drill(tmp_path, scenario)
    assert code == 0, transcript
    assert "Starts Mon 23 Nov 2026 09:00 EST; times below are scenario time, EST." in transcript
    assert "[09:01:00] Amara Okafor fills in" in transcript
    assert "[12:01:00] Time passes.\n" in transcript  # a tick that brought a warning
    assert "[Tue 24 Nov 00:00:00] Time passes." in transcript  # the day is named after day one


def test_without_start_a_drill_begins_monday_0900_utc(tmp_path):
    scenario = {"name": "plain", "steps": [{"at": "00:30"}]}
    code, transcript = _drill(tmp_path, scenario)
    assert code == 0
    assert "Starts Mon 23 Nov 2026 09:00 UTC" in transcript
    assert "[09:00:30] Time passes." in transcript


def test_seen_by_a_person_is_what_was_sent_to_them_not_their_channels(tmp_path):
    """Tom is in #esc-payments, but the card and thread there were not sent to him."""
    scenario = yaml.safe_load((SCENARIOS / "escalate-message.yml").read_text())
    scenario["steps"][2]["expect"] = [
        {"seen_by": "tom.hughes", "contains": "ESC-1 Checkout", "kind": "message", "count": 0},
        {"seen_by": "tom.hughes", "kind": "dm", "contains": "You are paged", "count": 1},
    ]
    scenario["steps"][3]["expect"] = [
        {"seen_by": "tom.hughes", "contains": "Acknowledged by", "count": 0},
        {"seen_by": "#esc-payments", "contains": "Acknowledged by @Tom Hughes", "count": 1},
        {"seen_by": "tom.hughes", "kind": "response", "contains": "You acknowledged", "count": 1},
    ]
    code, transcript = _drill(tmp_path, scenario)
    assert code == 0, transcript
    assert "✗" not in transcript


def test_sev1_war_room_drill_approves_and_opens_one_channel_per_ticket():
    out = io.StringIO()
    assert run_drill("sev1-war-room", out=out) == 0
    transcript = out.getvalue()
    assert "34/34 expectations met." in transcript and "✗" not in transcript
    assert "Helen Carter (VP Support) clicks Approve in their DM from Relay" in transcript
    assert "Relay creates #inc-esc-1-checkout-down-for-acme-bank" in transcript
    assert "James Whitfield reacts in #inc-esc-1-checkout-down-for-acme-bank: 📌" in transcript


def test_a_late_war_room_fails_the_drill(tmp_path):
    scenario = yaml.safe_load((SCENARIOS / "sev1-war-room.yml").read_text())
    approve = next(s for s in scenario["steps"] if s.get("actor") == "helen.carter")
    approve["expect"][0]["by"] = "02:59"  # approved at 03:00: the war room cannot be earlier
    code, transcript = _drill(tmp_path, scenario)
    assert code == 1
    assert "✗ the war room is created once, as soon as it is approved (found 0, wanted 1)" in (
        transcript
    )


def test_a_storm_of_handoffs_reaches_the_l2_primary_as_one_digest(tmp_path):
    """Five Sev3s breach in the same tick (the clock was away): Priya, the L2 primary, gets
    one DM carrying all five handoffs, and Accept in it takes the newest one."""
    steps = []
    for n in range(5):
        steps += [
            {**NEW_SEV3[0], "at": f"00:{2 * n:02d}:00"},
            {**NEW_SEV3[1], "at": f"00:{2 * n + 1:02d}:00"},
        ]
    scenario = {
        "name": "storm",
        "start": "2026-11-23 09:00 Europe/London",
        "tick_every": "00:30:00",
        "channels": {"support": {"members": ["everyone"]}},
        "home_channel": "support",
        "steps": [
            *steps,
            {
                "at": "04:30:00",
                "expect": [
                    {
                        "seen_by": "priya.shah",
                        "kind": "dm",
                        "contains": "is handed to you",
                        "count": 1,
                    },
                    *[
                        {"seen_by": "priya.shah", "kind": "dm", "contains": f"ESC-{n}"}
                        for n in range(1, 6)
                    ],
                ],
            },
            {
                "at": "04:30:30",
                "actor": "priya.shah",
                "click": {"action": "handoff_accept", "in_dm": True},
                "expect": [
                    {
                        "seen_by": "#esc-payments",
                        "contains": "accepted and owns ESC-5 at L2",
                        "count": 1,
                    },
                ],
            },
        ],
    }
    code, transcript = _drill(tmp_path, scenario)
    assert code == 0, transcript
    assert "Priya Shah clicks Accept in their DM from Relay" in transcript
