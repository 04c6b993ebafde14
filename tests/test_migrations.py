"""The schema built by `alembic upgrade head` is the schema the models describe."""

import subprocess
import sys

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from app.db import HEAD, _alembic_config, head_revision, psycopg_url, scratch_database, upgrade
from app.models import Base, KeySequence
from app.tickets.intake import next_key


def test_models_and_migrations_agree(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_key_sequence_is_seeded(db):
    assert db.scalar(select(KeySequence.prefix)) == "ESC"


def test_head_names_the_newest_migration():
    """app.db.HEAD must follow each new migration (start-up skips Alembic when it matches)."""
    assert head_revision() == HEAD


def test_a_current_database_is_checked_without_importing_alembic(database_url):
    code = (
        "import sys; from app import db;"
        f" db.check_schema(db.make_engine({database_url!r}));"
        " print(sorted(m for m in sys.modules if m.startswith('alembic')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_postgresql_ticket_keys_carry_on_from_the_counter_and_back(database_url):
    """Migration 0010 moves PostgreSQL's ticket keys to a sequence that starts after the
    last key given; downgrading puts the counter back where the sequence got to."""
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite keeps the key_sequences row")
    with scratch_database(database_url, migrate=False) as url:
        upgrade(url, "0005")
        engine = create_engine(psycopg_url(url))
        with engine.begin() as conn:
            conn.execute(text("UPDATE key_sequences SET value = 41"))
        upgrade(url, "0010")
        with Session(engine) as db, db.begin():
            assert next_key(db) == "ESC-42"
        command.downgrade(_alembic_config(url), "0005")
        with engine.begin() as conn:
            assert conn.scalar(text("SELECT value FROM key_sequences")) == 42
        engine.dispose()
