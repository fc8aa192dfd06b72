from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import redis

from backend.common.testing.postgres import throwaway_database
from tests.e2e.running import Stack


@pytest.fixture(
    scope="module",
    params=["embedded", pytest.param("servers", marks=pytest.mark.integration)],
)
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """The four services on SQLite + a file-system broker, or on PostgreSQL + Redis."""
    data_dir = tmp_path_factory.mktemp(f"stack-{request.param}")
    if request.param == "embedded":
        running = Stack(data_dir, database_url=None, broker_url=None)
        yield from _run(running)
        return
    redis_url = os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/15"
    redis_url = redis_url.rsplit("/", 1)[0] + "/14"  # not the worker tests' database
    redis.Redis.from_url(redis_url).flushdb()
    with throwaway_database("lf_e2e") as url:
        running = Stack(data_dir, url.render_as_string(hide_password=False), redis_url)
        yield from _run(running)


def _run(running: Stack) -> Iterator[Stack]:
    try:
        running.start()
        yield running
    finally:
        running.stop()
