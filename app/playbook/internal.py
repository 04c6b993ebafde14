"""Ticket fields a playbook marks internal (`internal_fields`): customer templates may not
show them, and their text is not copied into what a customer is told
(app/comms/outbound.py)."""

import string
from typing import Any, Literal, get_args

InternalField = Literal[
    "title",
    "description",
    "impact",
    "business_rationale",
    "severity_reason",
    "severity",
    "team",
    "tier",
    "owner",
    "customer_tier",
]
FIELDS: tuple[str, ...] = get_args(InternalField)
# Free text typed into a ticket: what `internal_fields` keeps out of customer text.
TEXT_FIELDS = ("title", "description", "impact", "business_rationale", "severity_reason")
DEFAULT: tuple[str, ...] = tuple(f for f in FIELDS if f != "title")
CUSTOMER_TEMPLATES = ("customer_update", "customer_resolution")
# What a customer channel is told on resolution when the playbook has no such template
# (`resolution_notice` is the team's own, in the card's thread and the war room).
CUSTOMER_RESOLUTION = (
    ":white_check_mark: *{key} resolved:* {title}\n*Resolution:* {summary}\n"
    "Thank you for your patience."
)
# Placeholders that are never for customers: the update's actions and the decision asked
# of executives, and the link to the team's queue channel.
NEVER_FOR_CUSTOMERS = ("actions", "decision", "url")


def problems(data: dict) -> list[tuple[str, str]]:
    """(field path, message) for each customer template placeholder that shows a field
    marked internal (or one that is never for customers)."""
    marked = data.get("internal_fields", DEFAULT)
    if not isinstance(marked, list | tuple):
        marked = DEFAULT  # damaged: the structure check reports it
    marked = {m for m in marked if isinstance(m, str)}
    templates = data.get("templates")
    found = []
    for name in CUSTOMER_TEMPLATES:
        template = templates.get(name) if isinstance(templates, dict) else None
        for placeholder in _placeholders(template):
            if placeholder in marked:
                why = "shows a ticket field marked internal (internal_fields)"
            elif placeholder in NEVER_FOR_CUSTOMERS:
                why = "is never shown to customers"
            else:
                continue
            found.append((f"templates.{name}", f"placeholder {{{placeholder}}} {why}"))
    return found


def _placeholders(template: Any) -> list[str]:
    if not isinstance(template, str):
        return []
    try:
        return [name for _, name, _, _ in string.Formatter().parse(template) if name]
    except ValueError:
        return []  # malformed: template_problems says so
