"""Engines: the URLs hosting providers hand out, and a pool that survives the server
dropping its connections without a round trip on every checkout."""

import time

import pytest
from sqlalchemy import select, text

from app import db as relay_db
from app.settings import Settings


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "postgresql+psycopg"])
def test_postgres_urls_as_providers_give_them_are_accepted(scheme):
    url = f"{scheme}://relay:pw@db.example:5432/relay"
    settings = Settings(_env_file=None, database_url=url)
    assert settings.database_url == "postgresql+psycopg://relay:pw@db.example:5432/relay"
    engine = relay_db.make_engine(url)
    assert (engine.dialect.name, engine.dialect.driver) == ("postgresql", "psycopg")


@pytest.mark.postgres_only
def test_connections_the_server_dropped_are_replaced_without_an_error(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (RELAY_TEST_DATABASE_URL)")
    engine = relay_db.make_engine(database_url, pool_size=3)
    sessions = relay_db.make_sessionmaker(engine)
    held = [engine.connect() for _ in range(3)]  # three pooled connections ...
    pids = [conn.scalar(text("SELECT pg_backend_pid()")) for conn in held]
    for conn in held:
        conn.close()
    admin = relay_db.make_engine(database_url)
    with admin.connect() as conn:  # ... which the server then drops (restart, failover)
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                " AND pid = ANY(:pids)"
            ),
            {"pids": pids},
        )
    deadline = time.monotonic() + 10
    while True:
        with admin.connect() as conn:
            alive = conn.scalar(
                text("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(:pids)"),
                {"pids": pids},
            )
        if not alive or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert alive == 0
    for _ in range(3):  # every next unit of work succeeds, whichever connection it gets
        with relay_db.transaction(sessions) as db:
            assert db.scalar(select(1)) == 1
    engine.dispose()
    admin.dispose()
