"""The schema built by `alembic upgrade head` is the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from app.models import Base, KeySequence


def test_models_and_migrations_agree(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_key_sequence_is_seeded(db):
    assert db.scalar(select(KeySequence.prefix)) == "ESC"
