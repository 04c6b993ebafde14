"""comms: situation updates (and customer notices), update cadences

Revision ID: 0007
Revises: 0006
"""

from alembic import op
import sqlalchemy as sa
import app.models  # noqa: F401 (UTCDateTime)


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

UTC = app.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'situation_updates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('posted_by', sa.String(length=32), nullable=False),
        sa.Column('posted_at', UTC, nullable=False),
        sa.Column('status', sa.Text(), nullable=False),
        sa.Column('impact', sa.Text(), nullable=False),
        sa.Column('current_state', sa.Text(), nullable=False),
        sa.Column('actions', sa.Text(), nullable=False),
        sa.Column('decision', sa.Text(), nullable=False),
        sa.Column('next_update_at', UTC, nullable=True),
        sa.Column('customer_text', sa.Text(), nullable=True),
        sa.Column('customer_sent_at', UTC, nullable=True),
        sa.Column('customer_sent_by', sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_situation_updates_ticket_id_tickets')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_situation_updates')),
    )
    op.create_index(op.f('ix_situation_updates_ticket_id'), 'situation_updates', ['ticket_id'], unique=False)
    op.create_table(
        'update_cadences',
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('due_at', UTC, nullable=False),
        sa.Column('reminded_at', UTC, nullable=True),
        sa.Column('overdue_at', UTC, nullable=True),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_update_cadences_ticket_id_tickets')),
        sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_update_cadences')),
    )


def downgrade() -> None:
    op.drop_table('update_cadences')
    op.drop_index(op.f('ix_situation_updates_ticket_id'), table_name='situation_updates')
    op.drop_table('situation_updates')
