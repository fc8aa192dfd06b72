"""Engines and sessions for the shared database (SQLite embedded, PostgreSQL in deployment)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

# An execution option for a statement that reads many binary values (match records): on
# PostgreSQL through psycopg its rows come in the binary format, bytea as its bytes instead of
# hex text twice the size for the driver to decode (3.7 against 6.9 ms per 1,000 match records
# read row by row, on bench/matching_db.py's table). Other databases ignore it.
BINARY_RESULTS = "binary_results"


def make_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    # Errors and logs never carry statement parameters (token hashes, contacts).
    kwargs.setdefault("hide_parameters", True)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # The API and the worker share the file: wait for each other's locks instead of failing.
        kwargs.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        engine = create_engine(parsed, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(parsed, **kwargs)
    if parsed.get_driver_name() == "psycopg":
        event.listen(engine, "before_cursor_execute", _binary_results)
    return engine


def _binary_results(
    _connection: Any,
    cursor: Any,
    _statement: str,
    _parameters: Any,
    context: Any,
    _executemany: bool,
) -> None:
    # Each execution has a cursor of its own, so the format applies to this statement only.
    if context is not None and context.execution_options.get(BINARY_RESULTS):
        from psycopg.pq import Format  # only engines of the psycopg driver listen

        cursor.format = Format.BINARY


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def database_ready(engine: Engine) -> bool:
    """Readiness check: the database answers a trivial query."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return True


def refresh_statistics(session: Session, tables: tuple[str, ...]) -> None:
    """The planner's statistics of `tables`, read again now (ANALYZE), after many rows arrived
    at once (PostgreSQL's advice after a bulk load): autovacuum analyses a table once a tenth of
    it changed, at its next round, and never where it is off; until then PostgreSQL plans for
    the table as it was (matching's candidate query filtered every report instead of reading
    its index)."""
    for table in tables:  # SQLite's ANALYZE takes one name at a time
        session.execute(text(f"ANALYZE {table}"))
