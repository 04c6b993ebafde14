"""ticket keys from a PostgreSQL sequence (ticket_keys_esc), not the key_sequences row lock

On PostgreSQL the `key_sequences` row was locked from the moment a ticket took its key
until its opening transaction committed, so a burst of Sev1 forms opened one at a time.
A sequence hands out keys without a lock (a ticket whose opening is rolled back leaves a
gap). SQLite keeps the `key_sequences` row: it has one writer at a time anyway.

Revision ID: 0010
Revises: 0005
"""

from alembic import op


revision = '0010'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('CREATE SEQUENCE ticket_keys_esc START 1')
    op.execute(
        "SELECT setval('ticket_keys_esc', value) FROM key_sequences"
        " WHERE prefix = 'ESC' AND value > 0"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(
        "UPDATE key_sequences SET value = (SELECT CASE WHEN is_called THEN last_value ELSE 0 END"
        " FROM ticket_keys_esc) WHERE prefix = 'ESC'"
    )
    op.execute('DROP SEQUENCE ticket_keys_esc')
