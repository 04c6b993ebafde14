"""The playbook's `learning` section: defaults, and each mistake named by its field."""

import pytest

from app.playbook import PlaybookError, load_playbook
from tests.test_playbook import data, write  # noqa: F401 (fixture)


def test_the_learning_section_has_defaults(tmp_path, data):  # noqa: F811
    del data["learning"]
    rules = load_playbook(write(tmp_path, data)).learning
    assert rules.confirm_within_days == 5 and rules.review_due_days == 5
    assert "Configuration change" in rules.root_causes


@pytest.mark.parametrize(
    "change, message",
    [
        ({"root_causes": []}, "learning.root_causes"),
        ({"root_causes": ["Code", "code"]}, "each category once"),
        ({"root_causes": ["x" * 76]}, "at most 75 characters"),
        ({"confirm_within_days": 0}, "learning.confirm_within_days"),
        (
            {"review_ic_reminder_hours": 12, "review_manager_reminder_hours": 24},
            "must be less than review_ic_reminder_hours",
        ),
        ({"action_reminder_hours": "soon"}, "learning.action_reminder_hours"),
        ({"reminders": 3}, "learning.reminders"),
    ],
)
def test_a_broken_learning_section_names_the_field(tmp_path, data, change, message):  # noqa: F811
    data["learning"] = {**data["learning"], **change}
    with pytest.raises(PlaybookError) as found:
        load_playbook(write(tmp_path, data))
    assert message in str(found.value)
