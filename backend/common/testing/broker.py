"""Redis databases for the tests. Pants runs test modules side by side, and two workers on one
queue would take each other's tasks: each module that runs a worker (or a whole stack) has a
database of its own on the server TEST_REDIS_URL names, emptied when the module starts."""

from __future__ import annotations

import os

import redis

DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379/15"

# The database of each module, by number.
WORKER_INTEGRATION = 15  # backend/worker/tests/test_worker_integration.py
E2E_STACKS = 14  # tests/e2e/conftest.py
TELEMETRY_STACK = 13  # tests/e2e/test_telemetry.py
MESSY_REPORTS = 12  # backend/worker/tests/test_messy_reports.py
WORKER_METRICS = 10  # backend/worker/tests/test_worker_metrics.py


def redis_database(number: int) -> str:
    """The URL of database `number` on the tests' Redis server, emptied."""
    server = (os.environ.get("TEST_REDIS_URL") or DEFAULT_TEST_REDIS_URL).rsplit("/", 1)[0]
    url = f"{server}/{number}"
    redis.Redis.from_url(url).flushdb()
    return url
