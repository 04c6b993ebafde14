"""The playbook's `learning` section: root-cause categories, confirmation, reviews and
action-item reminders (app/reviews/)."""

from typing import Annotated

from pydantic import Field, model_validator

from app.playbook.models import PlaybookModel, Text

DEFAULT_ROOT_CAUSES = [
    "Code change",
    "Configuration change",
    "Infrastructure or capacity",
    "Third-party provider",
    "Data issue",
    "Process or documentation",
    "Unknown",
]


class Learning(PlaybookModel):
    """What happens after a ticket is resolved."""

    # The Resolve form's root-cause choices (asked for Sev1 and Sev2).
    root_causes: Annotated[list[Text], Field(min_length=1, max_length=100)] = DEFAULT_ROOT_CAUSES
    # The reporter's "Did this fix it?" closes the ticket unanswered after this many days.
    confirm_within_days: Annotated[int, Field(ge=1, le=90)] = 5
    # A Sev1/Sev2 review is due this many days after resolution ...
    review_due_days: Annotated[int, Field(ge=1, le=90)] = 5
    # ... the IC is reminded this many hours before it is due, then the manager.
    review_ic_reminder_hours: Annotated[int, Field(ge=1, le=24 * 90)] = 48
    review_manager_reminder_hours: Annotated[int, Field(ge=1, le=24 * 90)] = 24
    # An action item's owner is reminded this many hours before its due date.
    action_reminder_hours: Annotated[int, Field(ge=1, le=24 * 90)] = 24

    @model_validator(mode="after")
    def _check(self) -> "Learning":
        if len({c.lower() for c in self.root_causes}) != len(self.root_causes):
            raise ValueError("root_causes: each category once")
        if any(len(c) > 75 for c in self.root_causes):
            raise ValueError("root_causes: at most 75 characters each (a Slack option)")
        if self.review_manager_reminder_hours >= self.review_ic_reminder_hours:
            raise ValueError(
                "review_manager_reminder_hours must be less than review_ic_reminder_hours "
                "(the IC is reminded first, then the manager)"
            )
        return self
