"""The playbook: Relay's business rules as configuration, loaded from YAML and validated.

`load_playbook(path)` returns a `Playbook` or raises `PlaybookError` whose `errors` list
every problem as "field.path: what is wrong".
"""

from app.playbook.book import Playbook
from app.playbook.checks import (
    REQUIRED_TEMPLATES,
    ROLE_TOKENS,
    SEVERITY_KEYS,
    TEMPLATE_FIELDS,
    PlaybookError,
)
from app.playbook.loading import check_playbook, load_playbook, parse_playbook
from app.playbook.models import (
    TIER_LEVELS,
    WEEKDAYS,
    ClassificationRule,
    Customer,
    CustomerTier,
    EscalationType,
    Group,
    Person,
    Raci,
    Roles,
    Severity,
    SeverityActions,
)
from app.playbook.teams import Calendar, HolidayCalendar, Runbook, Team, TierOwners

__all__ = [
    "REQUIRED_TEMPLATES",
    "ROLE_TOKENS",
    "SEVERITY_KEYS",
    "TEMPLATE_FIELDS",
    "TIER_LEVELS",
    "WEEKDAYS",
    "Calendar",
    "ClassificationRule",
    "Customer",
    "CustomerTier",
    "EscalationType",
    "Group",
    "HolidayCalendar",
    "Person",
    "Playbook",
    "PlaybookError",
    "Raci",
    "Roles",
    "Runbook",
    "Severity",
    "SeverityActions",
    "Team",
    "TierOwners",
    "check_playbook",
    "load_playbook",
    "parse_playbook",
]
