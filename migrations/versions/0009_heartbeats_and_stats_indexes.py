"""heartbeats (clock ticks, for /metrics); indexes for stats over a period and event counts

Revision ID: 0009
Revises: 0007
"""

from alembic import op
import sqlalchemy as sa
import app.models  # noqa: F401 (UTCDateTime)


revision = '0009'
down_revision = '0007'
branch_labels = None
depends_on = None

UTC = app.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'heartbeats',
        sa.Column('process', sa.String(length=200), nullable=False),
        sa.Column('at', UTC, nullable=False),
        sa.PrimaryKeyConstraint('process', name=op.f('pk_heartbeats')),
    )
    op.create_index(op.f('ix_heartbeats_at'), 'heartbeats', ['at'], unique=False)
    op.create_index(op.f('ix_tickets_opened_at'), 'tickets', ['opened_at'], unique=False)
    op.create_index(op.f('ix_timeline_events_kind'), 'timeline_events', ['kind'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_timeline_events_kind'), table_name='timeline_events')
    op.drop_index(op.f('ix_tickets_opened_at'), table_name='tickets')
    op.drop_index(op.f('ix_heartbeats_at'), table_name='heartbeats')
    op.drop_table('heartbeats')
