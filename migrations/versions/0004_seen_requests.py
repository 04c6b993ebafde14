"""seen_requests: signatures and event ids of Slack requests already handled

Revision ID: 0004
Revises: 0003
"""

from alembic import op
import sqlalchemy as sa
import app.models  # noqa: F401 (UTCDateTime)


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

UTC = app.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'seen_requests',
        sa.Column('key', sa.String(length=100), nullable=False),
        sa.Column('seen_at', UTC, nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_seen_requests')),
    )
    op.create_index(op.f('ix_seen_requests_seen_at'), 'seen_requests', ['seen_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_seen_requests_seen_at'), table_name='seen_requests')
    op.drop_table('seen_requests')
