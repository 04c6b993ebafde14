"""The schema built by `alembic upgrade head` is the schema the models describe."""

import subprocess
import sys

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from app.db import HEAD, head_revision
from app.models import Base, KeySequence


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
