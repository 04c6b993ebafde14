"""Shared fixtures. RELAY_TEST_DATABASE_URL picks PostgreSQL (a fresh database per run is
created beside the one named and dropped afterwards); without it tests use a SQLite file."""

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy.orm import Session

from app import db as relay_db
from app.playbook import load_playbook

ROOT = Path(__file__).resolve().parents[1]
SHARED_SLACK = ROOT.parent / "shared" / "slack"
PLAYBOOK = ROOT / "playbook.yml"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

# Property tests (hypothesis): the same examples on every run (CI stays repeatable), no
# example database written into the tree, no per-example deadline (the first example pays
# for warm-up). Each test sets its own max_examples; HYPOTHESIS_PROFILE=explore multiplies
# nothing but turns derandomization off, to look further on a developer's machine.
_PROPERTIES = dict(
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile("relay", derandomize=True, **_PROPERTIES)
settings.register_profile("explore", derandomize=False, **_PROPERTIES)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "relay"))


def shared_path(*parts: str) -> Path:
    """The published Slack artefacts (../shared/slack beside the repo root), or skip."""
    if not (SHARED_SLACK / "README.md").is_file():
        pytest.skip(f"Slack artefacts not found at {SHARED_SLACK} (../shared/slack)")
    return SHARED_SLACK.joinpath(*parts)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    base = os.environ.get("RELAY_TEST_DATABASE_URL")
    if not base:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'relay-test.db'}"
        relay_db.upgrade(url)
        yield url
        return
    with relay_db.scratch_database(base) as url:
        yield url


@pytest.fixture(scope="session")
def engine(database_url):
    engine = relay_db.make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sessions(engine):
    """Sessions that really commit (for concurrency and delivery tests)."""
    return relay_db.make_sessionmaker(engine)


@pytest.fixture
def db(engine):
    """A session whose work is rolled back after the test."""
    with engine.connect() as conn:
        outer = conn.begin()
        session = Session(bind=conn, join_transaction_mode="create_savepoint")
        try:
            yield session
        finally:
            session.close()
            outer.rollback()


@pytest.fixture(scope="session")
def playbook():
    return load_playbook(PLAYBOOK)


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
