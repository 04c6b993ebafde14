"""Every id Slack sends back to Relay, defined once and shared by blocks and listeners."""

from enum import StrEnum


class Command(StrEnum):
    ESC = "/esc"


class Shortcut(StrEnum):
    ESCALATE_MESSAGE = "escalate_message"
    NEW_ESCALATION = "new_escalation"


class Callback(StrEnum):
    NEW_TICKET = "new_ticket"
    ESCALATE = "ticket_escalate"
    SEVERITY = "ticket_severity"
    RESOLVE = "ticket_resolve"
    CONFIRM = "ticket_confirm"
    ACTION_ITEM = "action_item"
    REJECT_APPROVAL = "approval_reject"
    UPDATE = "ticket_update"


class Action(StrEnum):
    ACK = "ticket_ack"
    ASSIGN = "ticket_assign"
    ESCALATE = "ticket_escalate"
    SEVERITY = "ticket_severity"
    RESOLVE = "ticket_resolve"
    ACCEPT_HANDOFF = "handoff_accept"
    OPEN = "ticket_open"
    CONFIRM_FIXED = "confirm_fixed"
    CONFIRM_NOT_FIXED = "confirm_not_fixed"
    ACTION_DONE = "action_done"
    ACTION_DROP = "action_drop"
    APPROVE = "approval_approve"
    REJECT = "approval_reject"
    UPDATE = "ticket_update"
    SEND_CUSTOMER = "customer_send"


class Field(StrEnum):
    """Block id and action id of each input in the new-ticket modal."""

    TITLE = "title"
    DESCRIPTION = "description"
    IMPACT = "impact"
    BUSINESS_RATIONALE = "business_rationale"
    TEAM = "team"
    CUSTOMER = "customer"
    ESCALATION_TYPE = "escalation_type"
    SEVERITY = "severity"
    OVERRIDE_REASON = "override_reason"
    HANDOFF_NOTE = "handoff_note"
    NEW_SEVERITY = "new_severity"
    REASON = "reason"
    SUMMARY = "summary"
    ROOT_CAUSE = "root_cause"
    RATING = "rating"
    COMMENT = "comment"
    WHAT = "what"
    OWNER = "owner"
    DUE_ON = "due_on"
    UPDATE_STATUS = "update_status"
    CURRENT_STATE = "current_state"
    ACTIONS = "actions"
    DECISION = "decision"
    NEXT_UPDATE = "next_update"
    CUSTOMER_UPDATE = "customer_update"
    CUSTOMER_TEXT = "customer_text"
