import os

import pytest

from app import db as relay_db


@pytest.fixture
def fresh_url(tmp_path):
    """A database of its own (figures count everything in it): SQLite, or a scratch
    PostgreSQL database beside RELAY_TEST_DATABASE_URL."""
    base = os.environ.get("RELAY_TEST_DATABASE_URL")
    if base:
        with relay_db.scratch_database(base) as url:
            yield url
        return
    url = f"sqlite:///{tmp_path}/metrics.db"
    relay_db.upgrade(url)
    yield url


@pytest.fixture
def fresh(fresh_url):
    engine = relay_db.make_engine(fresh_url)
    yield relay_db.make_sessionmaker(engine)
    engine.dispose()
