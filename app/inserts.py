"""Many rows in one INSERT, on SQLite and PostgreSQL alike (outbox rows, timers)."""

import json
from datetime import UTC, datetime
from functools import cache

from sqlalchemy import bindparam, cast, func, literal_column, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert


def insert_rows(conn, table, rows: list[dict], *, skip_existing: str | None = None) -> None:
    """Insert `rows` (dicts with the same keys) in one statement; with `skip_existing` (a
    unique column), a row whose value is taken is left out (ON CONFLICT DO NOTHING). On
    PostgreSQL the rows travel as one jsonb parameter: as an executemany they were a
    statement each, and as one VALUES list a long text psycopg parses anew every time."""
    if not rows:
        return
    postgres = conn.dialect.name == "postgresql"
    as_json = json.dumps(rows, default=_as_json) if postgres else ""
    if not postgres or "\\u0000" in as_json:  # jsonb holds no NUL (a json column does)
        statement = (postgresql_insert if postgres else sqlite_insert)(table)
        if skip_existing:
            statement = statement.on_conflict_do_nothing(index_elements=[skip_existing])
        conn.execute(statement, rows)
        return
    conn.execute(_from_json(table, tuple(rows[0]), skip_existing), {"rows": as_json})


@cache
def _from_json(table, columns: tuple[str, ...], skip_existing: str | None):
    """INSERT INTO table (columns) SELECT columns FROM jsonb_populate_recordset(...): each
    value is read as its column's type (timestamptz from ISO text, json from an object)."""
    source = func.jsonb_populate_recordset(
        literal_column(f"NULL::{table.name}"), cast(bindparam("rows"), JSONB)
    ).table_valued(*columns)
    statement = postgresql_insert(table).from_select(columns, select(*source.c))
    if skip_existing:
        statement = statement.on_conflict_do_nothing(index_elements=[skip_existing])
    return statement


def _as_json(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
