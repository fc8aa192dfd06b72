"""db.BINARY_RESULTS: the same bytes, read in PostgreSQL's binary format where it applies."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from psycopg.pq import Format
from sqlalchemy import Column, Engine, LargeBinary, MetaData, Table, insert, select

from backend.common.db import BINARY_RESULTS, make_engine
from backend.common.testing.postgres import throwaway_database

RECORDS = [bytes(range(256)), os.urandom(533), b"\x00" * 16, b"\\x00"]
blobs = Table("blobs", MetaData(), Column("blob", LargeBinary))


def stored(engine: Engine) -> Engine:
    blobs.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(blobs), [{"blob": record} for record in RECORDS])
    return engine


@pytest.fixture(scope="module")
def postgres() -> Iterator[Engine]:
    with throwaway_database("lf_db") as url:
        engine = make_engine(url.render_as_string(hide_password=False))
        yield stored(engine)
        engine.dispose()


@pytest.mark.integration
def test_postgresql_reads_binary_values_in_binary_format_when_asked(postgres: Engine) -> None:
    with postgres.connect() as connection:
        as_text = connection.execute(select(blobs.c.blob))
        assert as_text.cursor.format == Format.TEXT
        assert as_text.scalars().all() == RECORDS
        as_binary = connection.execute(
            select(blobs.c.blob).execution_options(**{BINARY_RESULTS: True})
        )
        assert as_binary.cursor.format == Format.BINARY
        assert as_binary.scalars().all() == RECORDS
        # The next statement on the connection is read as usual again.
        assert connection.execute(select(blobs.c.blob)).cursor.format == Format.TEXT


def test_sqlite_ignores_the_option(tmp_path: Path) -> None:
    engine = stored(make_engine(f"sqlite:///{tmp_path / 'blobs.db'}"))
    with engine.connect() as connection:
        rows = connection.execute(select(blobs.c.blob).execution_options(**{BINARY_RESULTS: True}))
        assert rows.scalars().all() == RECORDS
    engine.dispose()
