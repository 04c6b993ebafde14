"""Engines: the URLs hosting providers hand out, and a pool that survives the server
dropping its connections without a round trip on every checkout."""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeout

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


@pytest.mark.postgres_only
def test_a_process_never_holds_more_connections_than_its_pool(database_url):
    """Past DATABASE_POOL_SIZE a thread waits for a free connection; it does not open one
    more (several processes that overflowed their pools once ran the server out of
    connections, and Slack's requests got 503s)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (RELAY_TEST_DATABASE_URL)")
    engine = relay_db.make_engine(database_url, pool_size=2, pool_timeout=0.3)
    held = [engine.connect() for _ in range(2)]
    with pytest.raises(SQLAlchemyTimeout):
        engine.connect()
    held.pop().close()
    with engine.connect() as conn:  # a freed connection is taken again
        assert conn.scalar(select(1)) == 1
    for conn in held:
        conn.close()
    engine.dispose()


@pytest.mark.postgres_only
def test_a_pool_the_server_cannot_serve_is_named_at_start(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (RELAY_TEST_DATABASE_URL)")
    engine = relay_db.make_engine(database_url)
    assert relay_db.pool_problem(engine, 10, 3) is None
    problem = relay_db.pool_problem(engine, 100, 3)
    assert problem.startswith("3 processes with up to 100 connections each could need 300")
    assert "lower DATABASE_POOL_SIZE" in problem
    engine.dispose()


def test_pool_size_follows_the_threads_that_use_the_database():
    settings = Settings(_env_file=None, listener_threads=8, delivery_threads=4)
    assert settings.pool_size_for("http") == 14
    assert settings.pool_size_for("clock") == 6  # the clock runs no listeners
    defaults = Settings(_env_file=None)  # 32 listeners, 16 deliveries: capped
    assert defaults.pool_size_for("http") == 32 and defaults.pool_size_for("clock") == 18
    # The clock sends on 64 threads, which share 18 connections: none is held while Slack answers.
    assert (
        defaults.delivery_threads_for("clock") == 64 and defaults.delivery_threads_for("http") == 16
    )
    assert Settings(_env_file=None, database_pool_size=60).pool_size_for("http") == 60


@pytest.mark.postgres_only
def test_the_default_pools_fit_a_default_server(database_url):
    """Two web workers and a clock with the default settings: no warning on a server with
    PostgreSQL's default max_connections (100)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (RELAY_TEST_DATABASE_URL)")
    engine = relay_db.make_engine(database_url)
    with engine.connect() as conn:
        allowed = int(conn.exec_driver_sql("SHOW max_connections").scalar())
    if allowed < 100:
        pytest.skip(f"this server allows only {allowed} connections")
    defaults = Settings(_env_file=None)
    assert 2 * defaults.pool_size_for("http") + defaults.pool_size_for("clock") <= allowed - 3
    assert relay_db.pool_problem(engine, defaults.pool_size_for("http"), 3) is None
    engine.dispose()


def sqlite_writers(tmp_path):
    engine = relay_db.make_engine(f"sqlite:///{tmp_path}/w.db", pool_size=5)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE n (v INTEGER)"))
    return engine


def test_sqlite_writers_of_one_process_each_get_their_turn(tmp_path):
    """40 threads writing at once all commit; a transaction that failed, one rolled back and
    a connection dropped mid-transaction each end their turn, so the next writer goes on."""
    engine = sqlite_writers(tmp_path)
    with pytest.raises(Exception, match="no such table"), engine.begin() as conn:
        conn.execute(text("INSERT INTO missing VALUES (1)"))
    with engine.connect() as conn:
        for _ in range(2):  # a connection rolled back and used again
            conn.execute(text("INSERT INTO n VALUES (0)"))
            conn.rollback()
    dropped = engine.connect()
    dropped.execute(text("INSERT INTO n VALUES (0)"))
    dropped.invalidate()
    dropped.rollback()
    dropped.close()

    def write(v):
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO n VALUES (:v)"), {"v": v})

    with ThreadPoolExecutor(40) as pool:
        list(pool.map(write, range(1, 41), timeout=20))
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM n")) == 40
    engine.dispose()


def test_rows_inserted_in_one_statement_keep_their_types_and_skip_taken_keys(sessions):
    """The outbox's bulk insert (one json parameter on PostgreSQL): times stay aware UTC
    instants, payloads stay JSON, and a key already taken, before or in the same batch,
    is left out."""
    from app.effects import outbox
    from app.inserts import insert_rows
    from app.models import OutboxMessage, OutboxStatus

    when = datetime(2026, 11, 23, 13, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    payload = {"channel": "U0001", "text": "Ünïcode & <b>", "blocks": [{"type": "divider"}]}
    made = [
        outbox.row(key=f"bulk-test-{n}", kind="message", payload=payload, now=when)
        for n in (1, 2, 1)
    ]
    odd = {**payload, "text": "a NUL \x00 pasted in"}  # json_populate_recordset refuses it
    made.append(outbox.row(key="bulk-test-3", kind="message", payload=odd, now=when))
    with sessions() as db, db.begin():
        insert_rows(db.connection(), OutboxMessage.__table__, made[:1], skip_existing="idem_key")
        insert_rows(db.connection(), OutboxMessage.__table__, made, skip_existing="idem_key")
    with sessions() as db:
        stored = db.scalars(
            select(OutboxMessage).where(OutboxMessage.idem_key.like("bulk-test-%"))
        ).all()
    assert sorted(r.idem_key for r in stored) == ["bulk-test-1", "bulk-test-2", "bulk-test-3"]
    for r in stored:
        assert r.payload == (odd if r.idem_key == "bulk-test-3" else payload)
        assert r.status == OutboxStatus.PENDING
        assert r.created_at == when and r.created_at.utcoffset() == timedelta(0)
        assert r.stream is None and r.claimed_until is None
