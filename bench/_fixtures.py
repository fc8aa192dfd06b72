"""A benchmark's PostgreSQL database, made once and reused: seeding a large table takes longer
than measuring on it. On the server of TEST_DATABASE_URL (default: the local one)."""

from __future__ import annotations

import os
from collections.abc import Callable

import psycopg
from sqlalchemy.engine import make_url

from backend.common.db.migrations import upgrade

SERVER = os.environ.get(
    "TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def fixture_database(name: str, seed: Callable[[str], None], *, reseed: bool = False) -> str:
    """The URL of database `name`: created and filled by `seed(url)` when missing (or when
    `reseed`), else reused, its schema brought up to date."""
    url = make_url(SERVER).set(database=name).render_as_string(hide_password=False)
    admin = make_url(SERVER).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if reseed and exists:
            connection.execute(f'DROP DATABASE "{name}"')
        if reseed or not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
            seed(url)
            return url
    upgrade(url)
    print(f"using the fixture in database {name} (--reseed to make it again)")
    return url
