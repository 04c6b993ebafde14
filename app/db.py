"""Engine and sessions. SQLite (embedded default) and PostgreSQL (production) behave alike."""

import select
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import structlog
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.settings import psycopg_url

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
# The newest migration. Checked against Alembic by a test; lets a process that finds its
# database current start without importing Alembic (about 9 MB per web worker).
HEAD = "0011"
UPGRADE_HINT = "run `relay db upgrade`"

log = structlog.get_logger()


class SchemaProblem(Exception):
    """The database's schema is not the one this code needs; `str()` says what to do.
    `upgradable`: `relay db upgrade` fixes it."""

    def __init__(self, message: str, *, upgradable: bool = True):
        super().__init__(message)
        self.upgradable = upgradable


def unreachable_reason(exc: Exception) -> str:
    """One line on why the database could not be used, without statement or values: the
    driver's first line for connection failures ("connection refused"), else the class."""
    orig = getattr(exc, "orig", None)
    if isinstance(exc, OperationalError | InterfaceError) and orig is not None:
        return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    return type(exc).__name__


URL_EXAMPLES = "sqlite:///relay.db or postgresql+psycopg://USER:PASSWORD@HOST:5432/NAME"


def url_problem(url: str) -> str | None:
    """What is wrong with DATABASE_URL before anything connects, with the fix; None when
    nothing is. The URL itself is never repeated: it may hold a password."""
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(psycopg_url(url))
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        return f"DATABASE_URL is not a database URL: set it to {URL_EXAMPLES}"
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        return f"DATABASE_URL names a {backend} database; Relay runs on {URL_EXAMPLES}"
    if backend == "sqlite" and parsed.database and parsed.database != ":memory:":
        folder = Path(parsed.database).parent
        if not folder.is_dir():
            return (
                f"DATABASE_URL names the SQLite file {parsed.database}, but the folder {folder}"
                f" does not exist: create it (mkdir -p {folder}) or change DATABASE_URL"
            )
    return None


def make_engine(url: str, *, pool_size: int = 10, pool_recycle: int = 1800, **kwargs) -> Engine:
    """Statement parameters (message text, titles) never appear in errors: hide_parameters."""
    url = psycopg_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            hide_parameters=True,
            connect_args={"timeout": 30, "check_same_thread": False},
            **kwargs,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # let SQLAlchemy issue BEGIN itself
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")  # durable at each checkpoint; WAL-safe
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        # Take the write lock up front so concurrent writers queue instead of failing. The
        # threads of one process queue on a lock of their own first: SQLite's busy handler
        # polls with growing sleeps (up to 100 ms a poll), so a burst of writers slept on a
        # lock that had long been free. After 30 s without it, SQLite's own wait decides.
        writing = threading.Lock()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            conn.info["writing"] = writing.acquire(timeout=30)
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                _written(conn.info)
                raise

        def _written(info: dict) -> None:
            if info.pop("writing", False):
                writing.release()

        @event.listens_for(engine, "commit")
        @event.listens_for(engine, "rollback")
        def _sqlite_end(conn):
            if not conn.invalidated:  # (an invalidated one ends below)
                _written(conn.info)

        # however a connection goes back to the pool or is dropped, its turn ends
        event.listen(engine, "checkin", lambda _dbapi, record: _written(record.info))
        event.listen(engine, "invalidate", lambda _dbapi, record, _exc: _written(record.info))
        return engine
    engine = create_engine(
        url,
        hide_parameters=True,
        pool_size=pool_size,
        max_overflow=0,  # never more than pool_size: a thread waits for a free connection
        pool_timeout=kwargs.pop("pool_timeout", 30),
        pool_recycle=pool_recycle,  # before a firewall or proxy drops an idle connection
        pool_pre_ping=False,  # no round trip per checkout: _closed_by_server looks instead
        connect_args={"connect_timeout": 10},
        **kwargs,
    )
    event.listen(engine, "checkout", _closed_by_server)
    return engine


def pool_problem(engine: Engine, pool_size: int, processes: int) -> str | None:
    """Whether `processes` processes with `pool_size` connections each could need more than the
    PostgreSQL server allows (its max_connections, less what it keeps for superusers)."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as conn:
        allowed = int(conn.exec_driver_sql("SHOW max_connections").scalar()) - int(
            conn.exec_driver_sql("SHOW superuser_reserved_connections").scalar()
        )
    if pool_size * processes <= allowed:
        return None
    return (
        f"{processes} processes with up to {pool_size} connections each could need "
        f"{pool_size * processes}, but the server allows {allowed}: lower DATABASE_POOL_SIZE "
        f"(or LISTENER_THREADS and DELIVERY_THREADS), or raise max_connections"
    )


def _closed_by_server(dbapi_conn, _record, _proxy) -> None:
    """An idle pooled connection has nothing to read unless the server has closed it (restart,
    failover, pg_terminate_backend): then its farewell or EOF is waiting. Looking costs one
    poll() on the socket; DisconnectionError makes the pool open a fresh connection instead."""
    try:
        fd = dbapi_conn.fileno()
    except Exception as exc:  # noqa: BLE001 - a closed psycopg connection has no socket
        raise DisconnectionError("connection already closed") from exc
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    if poller.poll(0):
        raise DisconnectionError("connection closed by the server")


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with sessions() as db, db.begin():
        yield db


@contextmanager
def scratch_database(base_url: str, *, migrate: bool = True) -> Iterator[str]:
    """A fresh (by default migrated) PostgreSQL database beside `base_url`, dropped afterwards
    (for tests and benchmarks)."""
    base_url = psycopg_url(base_url)
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    name = f"relay_scratch_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base_url).set(database=name).render_as_string(hide_password=False)
    try:
        if migrate:
            upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _alembic_config(url: str | None = None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", psycopg_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema to the newest migration (`alembic upgrade head`)."""
    from alembic import command

    command.upgrade(_alembic_config(url), revision)


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at; None when it has no Relay schema."""
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def check_schema(engine: Engine) -> None:
    """Raise SchemaProblem unless the database is at the newest migration. Raises
    SQLAlchemy's OperationalError when the database cannot be reached."""
    with engine.connect() as conn:
        versioned = inspect(conn).has_table("alembic_version")
        if versioned and conn.scalar(text("SELECT version_num FROM alembic_version")) == HEAD:
            return
    from alembic.script import ScriptDirectory

    current, head = current_revision(engine), head_revision()
    if current == head:
        return
    if current is None:
        raise SchemaProblem(f"the database has no Relay schema yet: {UPGRADE_HINT}")
    known = {
        rev.revision for rev in ScriptDirectory.from_config(_alembic_config()).walk_revisions()
    }
    if current not in known:
        raise SchemaProblem(
            f"the database is at schema revision {current}, which this version of Relay"
            f" does not know (it needs {head}): run the Relay version that migrated it",
            upgradable=False,
        )
    raise SchemaProblem(
        f"the database schema is behind (at {current}, Relay needs {head}): {UPGRADE_HINT}"
    )


def database_state(engine: Engine) -> dict:
    """What /healthz reports about the database: reachable or not, and its revision."""
    try:
        with engine.connect() as conn:
            rev = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return {"ok": True, "dialect": engine.dialect.name, "revision": rev}
    except Exception as exc:  # noqa: BLE001 - health must answer, not raise
        log.warning("database.unavailable", error=type(exc).__name__)  # logs, not the answer
        return {"ok": False, "dialect": engine.dialect.name, "revision": None}
