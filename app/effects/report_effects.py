"""The weekly report's Slack side: the clock asks `enqueue_due` every tick; the report for a
slot is enqueued once (keyed by the slot, so several clocks post it once) as a
`report.weekly` row, whose sending (app/effects/kinds.py) uploads the chart with Slack's
external upload flow, the report as its comment."""

from sqlalchemy import select

from app import db as relay_db
from app.effects.outbox import enqueue_rows, row
from app.models import OutboxMessage
from app.reports.weekly import GRACE, KIND, build, last_slot, series
from blocks.reports import report_text


def enqueue_due(relay) -> bool:
    """Called by the clock each tick; True when this call enqueued the report of the slot
    that has come. None in a drill, without a reporting section, or GRACE after the slot."""
    reporting = relay.playbook.reporting
    if reporting is None or relay.drill:
        return False
    now = relay.now()
    slot = last_slot(reporting, now)
    key = f"{KIND}:{slot.isoformat()}"
    if now - slot > GRACE:
        return False
    with relay_db.transaction(relay.sessions) as db:
        if db.scalar(select(OutboxMessage.id).where(OutboxMessage.idem_key == key)) is not None:
            return False
        report = build(db, end=slot, weeks=reporting.weeks, worst=reporting.worst_breaches)
        payload = {
            "channel": reporting.channel,
            "text": report_text(report, relay.playbook),
            "series": series(report),
            "filename": f"relay-weekly-{slot:%Y-%m-%d}.png",
        }
        enqueue_rows(db, [row(key=key, kind=KIND, payload=payload, now=now)])
    return True
