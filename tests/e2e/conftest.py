from __future__ import annotations

from collections.abc import Iterator

import pytest

from backend.common.testing.broker import E2E_STACKS, redis_database
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
        yield from running.serving()
        return
    redis_url = redis_database(E2E_STACKS)
    with throwaway_database("lf_e2e") as url:
        running = Stack(data_dir, url.render_as_string(hide_password=False), redis_url)
        yield from running.serving()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failed test shows the end of each service's log: what they did is there, not here."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    stack = getattr(item, "funcargs", {}).get("stack")
    if report.failed and isinstance(stack, Stack):
        for name in ("worker", "api", "nlp", "vision"):
            lines = [
                line
                for line in stack.log(name, tail_chars=1_000_000).splitlines()
                if _telling(line)
            ][-60:]
            report.sections.append((f"{name} log (last 60 lines)", "\n".join(lines)))


def _telling(line: str) -> bool:
    """Not the periodic sweep's, the probes' or the log polling's lines."""
    return not any(noise in line for noise in ("sweep", "/readyz", "/healthz", "GET /items/"))
