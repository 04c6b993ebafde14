"""learning: confirmations, reviews, action items

Revision ID: 0008
Revises: 0009
"""

from alembic import op
import sqlalchemy as sa
import app.models  # noqa: F401 (UTCDateTime)


revision = '0008'
down_revision = '0009'
branch_labels = None
depends_on = None

UTC = app.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'confirmations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('reporter_id', sa.String(length=32), nullable=False),
        sa.Column('asked_at', UTC, nullable=False),
        sa.Column('close_due_at', UTC, nullable=False),
        sa.Column('answered_at', UTC, nullable=True),
        sa.Column('fixed', sa.Boolean(), nullable=True),
        sa.Column('rating', sa.Integer(), nullable=True),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('settled_at', UTC, nullable=True),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_confirmations_ticket_id_tickets')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_confirmations')),
    )
    op.create_index(op.f('ix_confirmations_ticket_id'), 'confirmations', ['ticket_id'], unique=False)
    op.create_table(
        'reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('due_at', UTC, nullable=False),
        sa.Column('ic_remind_at', UTC, nullable=True),
        sa.Column('manager_remind_at', UTC, nullable=True),
        sa.Column('drafted_at', UTC, nullable=True),
        sa.Column('drafted_by', sa.String(length=32), nullable=True),
        sa.Column('canvas_id', sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_reviews_ticket_id_tickets')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews')),
        sa.UniqueConstraint('ticket_id', name=op.f('uq_reviews_ticket_id')),
    )
    op.create_table(
        'action_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('what', sa.Text(), nullable=False),
        sa.Column('owner_id', sa.String(length=32), nullable=False),
        sa.Column('team', sa.String(length=64), nullable=False),
        sa.Column('due_at', UTC, nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('created_by', sa.String(length=32), nullable=False),
        sa.Column('created_at', UTC, nullable=False),
        sa.Column('remind_at', UTC, nullable=True),
        sa.Column('overdue_noted', sa.Boolean(), nullable=False),
        sa.Column('closed_at', UTC, nullable=True),
        sa.Column('closed_by', sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_action_items_ticket_id_tickets')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_action_items')),
    )
    op.create_index(op.f('ix_action_items_owner_id'), 'action_items', ['owner_id'], unique=False)
    op.create_index(op.f('ix_action_items_team'), 'action_items', ['team'], unique=False)
    op.create_index(op.f('ix_action_items_ticket_id'), 'action_items', ['ticket_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_action_items_ticket_id'), table_name='action_items')
    op.drop_index(op.f('ix_action_items_team'), table_name='action_items')
    op.drop_index(op.f('ix_action_items_owner_id'), table_name='action_items')
    op.drop_table('action_items')
    op.drop_table('reviews')
    op.drop_index(op.f('ix_confirmations_ticket_id'), table_name='confirmations')
    op.drop_table('confirmations')
