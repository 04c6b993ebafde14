"""Tickets: intake, lifecycle (what each state allows), access, timeline, queries."""

from app.tickets.access import may_see, require_may_act, require_may_see
from app.tickets.intake import (
    LIMITS,
    REASON_LIMIT,
    Intake,
    SuggestionChanged,
    check_intake,
    clean_intake,
    clean_text,
    open_ticket,
    suggest,
)
from app.tickets.lifecycle import (
    acknowledge,
    assign,
    change_severity,
    check_severity_change,
    reopen,
    require_open,
    resolve,
    resume,
    wait_on_customer,
)
from app.tickets.queries import get_ticket, tickets_of_teams, tickets_of_user
from app.tickets.timeline import add_event, timeline, timeline_slice

__all__ = [
    "LIMITS",
    "REASON_LIMIT",
    "Intake",
    "SuggestionChanged",
    "acknowledge",
    "add_event",
    "assign",
    "change_severity",
    "check_intake",
    "check_severity_change",
    "clean_intake",
    "clean_text",
    "get_ticket",
    "may_see",
    "open_ticket",
    "reopen",
    "require_may_act",
    "require_may_see",
    "require_open",
    "resolve",
    "resume",
    "suggest",
    "tickets_of_teams",
    "tickets_of_user",
    "timeline",
    "timeline_slice",
    "wait_on_customer",
]
