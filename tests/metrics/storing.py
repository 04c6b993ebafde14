"""Hand-built timelines stored as rows, for the tests that read them back."""


def store(sessions, facts, *, titles=None, first=1) -> list[str]:
    """Hand-built timelines as ticket rows and timeline events; returns their keys."""
    from app.models import Status, Ticket, TimelineEvent

    keys = []
    with sessions() as db, db.begin():
        for n, t in enumerate(facts):
            resolved = [e.at for e in t.events if e.kind == "resolved"]
            ticket = Ticket(
                key=f"ESC-{n + first}",
                title=(titles or {}).get(n, f"Ticket {n + 1}"),
                severity=t.severity,
                suggested_severity=t.severity,
                escalation_type="technical",
                team=t.team,
                customer_tier=t.customer_tier,
                reporter_id="U0REPORTER1",
                status=Status.RESOLVED if resolved else Status.OPEN,
                response_target_minutes=60,
                resolution_target_minutes=240,
                is_drill=t.is_drill,
                opened_at=t.opened_at,
                updated_at=t.opened_at,
                resolved_at=resolved[-1] if resolved else None,
            )
            db.add(ticket)
            db.flush()
            for e in t.events:
                db.add(TimelineEvent(ticket_id=ticket.id, at=e.at, kind=e.kind, after=e.after))
            keys.append(ticket.key)
    return keys
