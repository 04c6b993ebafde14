"""comms: tickets opened before 0007 owe updates (their cadence made by the next tick)

Open tickets that are not paused and have no update cadence get an `update.due` timer due
at once (at their opening time): the clock's next tick claims each one, finds no cadence,
and gives it one (next update due one cadence from then), as it does for a new ticket.
Paused, resolved and closed tickets get nothing; what the timer finds decides the rest.

Revision ID: 0011
Revises: 0008
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        sa.text(
            """
            INSERT INTO deadlines (subject, subject_id, kind, due_at)
            SELECT 'ticket', t.id, 'update.due', t.opened_at
            FROM tickets t
            WHERE t.status IN ('open', 'acknowledged', 'in_progress')
              AND NOT EXISTS (SELECT 1 FROM update_cadences c WHERE c.ticket_id = t.id)
              AND NOT EXISTS (
                SELECT 1 FROM deadlines d
                WHERE d.subject = 'ticket' AND d.subject_id = t.id AND d.kind = 'update.due'
              )
            """
        )
    )


def downgrade() -> None:
    pass  # the timers are the clock's: it fires or drops them
