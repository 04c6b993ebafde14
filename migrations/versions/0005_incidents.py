"""incidents: channel archive timing and the pinned role card; incident role assignments

Revision ID: 0005
Revises: 0004
"""

from alembic import op
import sqlalchemy as sa
import app.models  # noqa: F401 (UTCDateTime)


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

UTC = app.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role_card_ts', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('archive_due_at', UTC, nullable=True))
        batch_op.add_column(sa.Column('archived_at', UTC, nullable=True))
    op.create_table(
        'role_assignments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('user_id', sa.String(length=32), nullable=False),
        sa.Column('assigned_by', sa.String(length=32), nullable=True),
        sa.Column('assigned_at', UTC, nullable=False),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_role_assignments_ticket_id_tickets')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_role_assignments')),
        sa.UniqueConstraint('ticket_id', 'role', name=op.f('uq_role_assignments_ticket_id')),
    )
    op.create_index(op.f('ix_role_assignments_ticket_id'), 'role_assignments', ['ticket_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_role_assignments_ticket_id'), table_name='role_assignments')
    op.drop_table('role_assignments')
    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.drop_column('archived_at')
        batch_op.drop_column('archive_due_at')
        batch_op.drop_column('role_card_ts')
