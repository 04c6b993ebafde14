"""incidents: approval gates and messages captured from war rooms and swarms

Revision ID: 0006
Revises: 0010
"""

from alembic import op
import sqlalchemy as sa
import app.models  # noqa: F401 (UTCDateTime)


revision = '0006'
down_revision = '0010'
branch_labels = None
depends_on = None

UTC = app.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'approvals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=16), nullable=False),
        sa.Column('severity', sa.Integer(), nullable=False),
        sa.Column('previous_severity', sa.Integer(), nullable=True),
        sa.Column('requested_by', sa.String(length=32), nullable=True),
        sa.Column('requested_at', UTC, nullable=False),
        sa.Column(
            'status',
            sa.Enum('pending', 'approved', 'rejected', 'withdrawn', name='approvalstatus', native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column('asked', sa.JSON(), nullable=False),
        sa.Column('due_at', UTC, nullable=True),
        sa.Column('decided_by', sa.String(length=32), nullable=True),
        sa.Column('decided_at', UTC, nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_approvals_ticket_id_tickets')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_approvals')),
    )
    op.create_index(op.f('ix_approvals_ticket_id'), 'approvals', ['ticket_id'], unique=False)
    op.create_table(
        'captured_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('channel_id', sa.String(length=32), nullable=False),
        sa.Column('ts', sa.String(length=32), nullable=False),
        sa.Column('captured_by', sa.String(length=32), nullable=True),
        sa.Column('captured_at', UTC, nullable=False),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_captured_messages_ticket_id_tickets')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_captured_messages')),
        sa.UniqueConstraint('channel_id', 'ts', name=op.f('uq_captured_messages_channel_id')),
    )
    op.create_index(op.f('ix_captured_messages_ticket_id'), 'captured_messages', ['ticket_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_captured_messages_ticket_id'), table_name='captured_messages')
    op.drop_table('captured_messages')
    op.drop_index(op.f('ix_approvals_ticket_id'), table_name='approvals')
    op.drop_table('approvals')
