"""deadlines, generic outbox effects, channels, severity reason

Timers move from ticket columns (`next_action_at`) to rows of `deadlines`; outbox rows name
an effect kind, a subject, a stream and what they wait for instead of a method and a ticket.

Revision ID: 0003
Revises: 0002
"""

from alembic import op
import sqlalchemy as sa
import app.models  # noqa: F401 (UTCDateTime)


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

UTC = app.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'deadlines',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subject', sa.String(length=24), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=48), nullable=False),
        sa.Column('due_at', UTC, nullable=False),
        sa.Column('data', sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_deadlines')),
        sa.UniqueConstraint('subject', 'subject_id', 'kind', name=op.f('uq_deadlines_subject')),
    )
    op.create_index('ix_deadlines_subject_due_at', 'deadlines', ['subject', 'due_at'], unique=False)
    op.create_table(
        'channels',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=True),
        sa.Column('purpose', sa.String(length=24), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('is_private', sa.Boolean(), nullable=False),
        sa.Column('slack_id', sa.String(length=32), nullable=True),
        sa.Column('created_at', UTC, nullable=False),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_channels_ticket_id_tickets')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_channels')),
        sa.UniqueConstraint('slack_id', name=op.f('uq_channels_slack_id')),
    )
    op.create_index(op.f('ix_channels_ticket_id'), 'channels', ['ticket_id'], unique=False)

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=48), nullable=False, server_default='message'))
        batch_op.add_column(sa.Column('subject', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('subject_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('stream', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('after', sa.String(length=200), nullable=True))
    op.execute(
        "UPDATE outbox SET subject = 'ticket', subject_id = ticket_id,"
        " kind = CASE method WHEN 'relay.card' THEN 'card' WHEN 'relay.thread' THEN 'thread'"
        " WHEN 'chat.postEphemeral' THEN 'ephemeral' ELSE 'message' END,"
        " stream = CASE method WHEN 'relay.card' THEN 'card:' || ticket_id"
        " WHEN 'relay.thread' THEN 'thread:' || ticket_id END"
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('kind', server_default=None)
        batch_op.drop_index('ix_outbox_ticket_id')
        batch_op.drop_constraint('fk_outbox_ticket_id_tickets', type_='foreignkey')
        batch_op.drop_column('ticket_id')
        batch_op.drop_column('method')
        batch_op.create_index(batch_op.f('ix_outbox_subject_id'), ['subject_id'], unique=False)

    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('severity_reason', sa.Text(), nullable=True))
        batch_op.drop_index('ix_tickets_next_action_at')
        batch_op.drop_column('next_action_at')
    # Open tickets keep their timers: what `next_action_at` stood for becomes rows.
    for kind, column, condition in (
        ('response.warning', 'response_warn_at', 'acknowledged_at IS NULL AND NOT response_warned'),
        ('response.breach', 'response_due_at', 'acknowledged_at IS NULL AND NOT response_breached'),
        ('resolution.warning', 'resolution_warn_at', 'NOT resolution_warned'),
        ('resolution.breach', 'resolution_due_at', 'NOT resolution_breached'),
        ('handoff.expiry', 'handoff_due_at', 'handoff_due_at IS NOT NULL'),
        ('manager.renotify', 'manager_renotify_at', 'manager_renotify_at IS NOT NULL'),
    ):
        op.execute(
            f"INSERT INTO deadlines (subject, subject_id, kind, due_at) SELECT 'ticket', id,"
            f" '{kind}', {column} FROM tickets WHERE status IN"
            f" ('open', 'acknowledged', 'in_progress', 'waiting_on_customer')"
            f" AND {column} IS NOT NULL AND {condition}"
        )


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_action_at', UTC, nullable=True))
        batch_op.create_index('ix_tickets_next_action_at', ['next_action_at'], unique=False)
        batch_op.drop_column('severity_reason')
    op.execute(
        "UPDATE tickets SET next_action_at = (SELECT MIN(due_at) FROM deadlines"
        " WHERE deadlines.subject = 'ticket' AND deadlines.subject_id = tickets.id)"
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('method', sa.String(length=64), nullable=False, server_default='chat.postMessage'))
        batch_op.add_column(sa.Column('ticket_id', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE outbox SET ticket_id = subject_id, method = CASE kind"
        " WHEN 'card' THEN 'relay.card' WHEN 'thread' THEN 'relay.thread'"
        " WHEN 'ephemeral' THEN 'chat.postEphemeral' ELSE 'chat.postMessage' END"
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_subject_id'))
        batch_op.create_foreign_key('fk_outbox_ticket_id_tickets', 'tickets', ['ticket_id'], ['id'])
        batch_op.create_index('ix_outbox_ticket_id', ['ticket_id'], unique=False)
        for column in ('after', 'stream', 'subject_id', 'subject', 'kind'):
            batch_op.drop_column(column)
    op.drop_index(op.f('ix_channels_ticket_id'), table_name='channels')
    op.drop_table('channels')
    op.drop_index('ix_deadlines_subject_due_at', table_name='deadlines')
    op.drop_table('deadlines')
