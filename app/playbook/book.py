"""The validated playbook and the questions the rest of Relay asks it."""

import math
from typing import Literal

from pydantic import Field, model_validator

from app.playbook import internal
from app.playbook.checks import TEMPLATE_FIELDS, PlaybookError, find_problems
from app.playbook.learning import Learning
from app.playbook.models import (
    ClassificationRule,
    Customer,
    CustomerTier,
    EscalationType,
    Group,
    Handle,
    Incidents,
    Person,
    PlaybookModel,
    Reporting,
    Roles,
    Severity,
    TeamKey,
)
from app.playbook.teams import Team

MISSING_FIELD = "—"


class _TemplateFields(dict):
    def __missing__(self, name: str) -> str:
        return MISSING_FIELD


class Playbook(PlaybookModel):
    version: Literal[1] = 1
    default_severity: int = Field(default=3, ge=1, le=4)
    # How long after resolution `/esc reopen` may bring a ticket back.
    reopen_window_days: int = Field(default=7, ge=1, le=365)
    people: dict[Handle, Person]
    groups: dict[Handle, Group] = {}
    severities: dict[str, Severity]
    customer_tiers: dict[str, CustomerTier] = {}
    teams: dict[TeamKey, Team]
    customers: dict[str, Customer] = {}
    escalation_types: dict[str, EscalationType]
    classification: list[ClassificationRule] = []
    roles: Roles = Roles()
    incidents: Incidents = Incidents()
    learning: Learning = Learning()
    reporting: Reporting | None = None  # no section: no weekly report
    templates: dict[str, str]
    # ticket fields customers never see (app/playbook/internal.py)
    internal_fields: list[internal.InternalField] = list(internal.DEFAULT)

    @model_validator(mode="before")
    @classmethod
    def _blank_sections_take_defaults(cls, data: object) -> object:
        # "groups:" with nothing under it means no groups, not an error
        if isinstance(data, dict):
            data = {key: value for key, value in data.items() if value is not None}
            if isinstance(data.get("templates"), dict):  # a customer channel's resolution
                data["templates"] = {
                    "customer_resolution": internal.CUSTOMER_RESOLUTION,
                    **data["templates"],
                }
        return data

    @model_validator(mode="after")
    def _references_resolve(self) -> "Playbook":
        # PlaybookError is not a ValueError, so pydantic lets it through unchanged.
        problems = find_problems(self.model_dump())
        if problems:
            raise PlaybookError(problems)
        return self

    def severity(self, level: int) -> Severity:
        if level not in (1, 2, 3, 4):
            raise ValueError(f"severity must be 1, 2, 3 or 4, not {level!r}")
        return self.severities[f"sev{level}"]

    def targets(
        self, level: int, customer_key: str | None, *, stored_tier: str | None = None
    ) -> tuple[int, int]:
        """(response, resolution) minutes: the severity matrix times the customer tier factors.
        `stored_tier`: the tier a ticket stored, for a customer the playbook no longer has
        (no factors if the tier is gone too)."""
        severity = self.severity(level)
        response_factor = resolution_factor = 1.0
        if customer_key is not None:
            customer = self.customers.get(customer_key)
            if customer is None and stored_tier is None:
                raise KeyError(f"unknown customer {customer_key!r}")
            tier = self.customer_tiers.get(customer.tier if customer else stored_tier)
            if tier is not None:
                response_factor, resolution_factor = tier.response_factor, tier.resolution_factor
        return (
            max(1, math.floor(severity.response_minutes * response_factor + 0.5)),
            max(1, math.floor(severity.resolution_minutes * resolution_factor + 0.5)),
        )

    def user_id(self, handle: str) -> str:
        """The Slack user id of a person handle."""
        person = self.people.get(handle)
        if person is None:
            raise KeyError(f"unknown person {handle!r}")
        return person.slack_id

    def handles_to_user_ids(self, handles: list[str]) -> set[str]:
        """Slack user ids of person and group handles, groups expanded to their members."""
        ids = set()
        for handle in handles:
            group = self.groups.get(handle)
            members = group.members if group is not None else [handle]
            ids.update(self.user_id(member) for member in members)
        return ids

    def person_by_user_id(self, user_id: str) -> tuple[str, Person] | None:
        for handle, person in self.people.items():
            if person.slack_id == user_id:
                return handle, person
        return None

    def name_of(self, user_id: str, default: str) -> str:
        """A person's display name by Slack user id; `default` for someone not in the book."""
        found = self.person_by_user_id(user_id)
        return found[1].name if found else default

    def team_member_ids(self, team_key: str) -> set[str]:
        """Everyone in the team's tiers (groups expanded), its manager and its members."""
        team = self.teams[team_key]
        handles = [team.manager, *team.members]
        for tier in team.tiers.values():
            handles += [tier.primary, tier.secondary]
        return self.handles_to_user_ids(handles)

    def is_admin(self, user_id: str) -> bool:
        return user_id in self.handles_to_user_ids(self.roles.admins)

    def is_approver(self, user_id: str) -> bool:
        return user_id in self.handles_to_user_ids(self.roles.approvers)

    def is_ic_eligible(self, user_id: str) -> bool:
        return user_id in self.handles_to_user_ids(self.roles.ic_eligible)

    def may_act(self, user_id: str, team_key: str) -> bool:
        """Team members act on their team's tickets; admins on every team's."""
        return user_id in self.team_member_ids(team_key) or self.is_admin(user_id)

    def render_template(self, name: str, **fields: object) -> str:
        """Fill a message template; missing or None fields show as an em dash."""
        unknown = set(fields) - TEMPLATE_FIELDS
        if unknown:
            raise ValueError(f"not template fields: {', '.join(sorted(unknown))}")
        values = _TemplateFields(
            {key: MISSING_FIELD if value is None else str(value) for key, value in fields.items()}
        )
        if name not in self.templates:
            raise KeyError(f"no template {name!r} in the playbook")
        return self.templates[name].format_map(values)
