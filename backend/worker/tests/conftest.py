"""A real worker process (the packaged PEX) on Redis and a throw-away PostgreSQL database."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from celery import Celery
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from backend.common.db import make_engine, make_sessionmaker
from backend.common.db.migrations import upgrade
from backend.common.jobs import make_celery
from backend.common.models import Item, ItemKind, Reporter
from backend.common.settings import ServiceSettings
from backend.common.testing.broker import WORKER_INTEGRATION, redis_database
from backend.common.testing.pex import ends_with_this_process, pex_env
from backend.common.testing.postgres import throwaway_database
from backend.common.testing.smtp import Mailbox, smtp_server
from backend.worker.tests.stubs import StubState, stub_services
from backend.worker.worker.match_store import Suggestion
from backend.worker.worker.scoring import Logistic, MatchModel

WORKER_PEX = Path("backend.worker/worker.pex")

# The stub NLP embeds bags of words, whose cosines are not MiniLM's: the fitted model
# (matching_model.json, calibrated on MiniLM) would call every pair unlikely. These tests are of
# the worker's rules, so its worker reads a model made for the stub: shared words decide,
# the same colour, category, details and photo add to them.
_STUB_FEATURES = {"text": 8.0, "colour": 1.0, "category": 1.0, "photo": 3.0, "identifier": 6.0}
STUB_MODEL = MatchModel(
    first=Logistic(-4.0, _STUB_FEATURES, {}),
    final=Logistic(-4.0, {**_STUB_FEATURES, "details": 3.0, "place": 1.0}, {"details": 0.0}),
    threshold=0.05,
    margin=3.0,
)


@pytest.fixture(scope="module")
def redis_url() -> str:
    return redis_database(WORKER_INTEGRATION)


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    with throwaway_database("lf_worker") as url:
        rendered = url.render_as_string(hide_password=False)
        upgrade(rendered)
        yield rendered


@pytest.fixture(scope="module")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


@pytest.fixture(scope="module")
def stubs() -> Iterator[tuple[str, StubState]]:
    with stub_services() as served:
        yield served


class WorkerProcess:
    """The worker PEX as a child process group, so a test can SIGKILL all of it."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                ["python3.11", str(WORKER_PEX), "--beat", "--concurrency=1"],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=ends_with_this_process(),
            )
        deadline = time.monotonic() + 90
        while b"ready." not in self.log.read_bytes():
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            assert time.monotonic() < deadline, (
                "worker did not start:\n" + self.log.read_text()[-3000:]
            )
            time.sleep(0.2)

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server: the worker sends its notices there."""
    with smtp_server() as server:
        yield server


@pytest.fixture(scope="module")
def worker_env(
    redis_url: str,
    database_url: str,
    stubs: tuple[str, StubState],
    mailbox: Mailbox,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, str]:
    base_url, _ = stubs
    data_dir = tmp_path_factory.mktemp("worker-data")
    model = data_dir / "stub-model.json"
    model.write_text(json.dumps(STUB_MODEL.to_json()))
    return {
        "MATCH_MODEL_FILE": str(model),
        "NOTIFICATION_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(mailbox.port),
        "WEB_APP_URL": "https://lostfound.example.org",
        **pex_env(data_dir),
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "BROKER_URL": redis_url,
        "NLP_URL": base_url,
        "VISION_URL": base_url,
        "MAX_RETRIES": "3",
        "RETRY_BACKOFF_S": "0.2",
        "RETRY_BACKOFF_MAX_S": "1",
        "VISIBILITY_TIMEOUT_S": "4",
        "RESTORE_INTERVAL_S": "1",
        "SWEEP_INTERVAL_S": "1",
        "STALE_PENDING_S": "30",
        "SWEEP_RETRY_S": "1",
        "TASK_SOFT_TIME_LIMIT_S": "6",
        "TASK_TIME_LIMIT_S": "12",
        "LOG_LEVEL": "INFO",
        # The worker's metrics, read by test_worker_metrics.py.
        "HOST": "127.0.0.1",
        "METRICS_PORT": str(free_port()),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def worker(
    worker_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WorkerProcess]:
    process = WorkerProcess(worker_env, tmp_path_factory.mktemp("logs") / "worker.log")
    process.start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def broker(redis_url: str, worker_env: dict[str, str]) -> Celery:
    """The sending side, configured like the API's."""
    return make_celery(
        ServiceSettings(broker_url=redis_url, data_dir=Path(worker_env["DATA_DIR"])), "test"
    )


@pytest.fixture()
def new_item(sessions: sessionmaker[Session]) -> Callable[..., uuid.UUID]:
    def make(kind: ItemKind, title: str, description: str = "", **fields: Any) -> uuid.UUID:
        with sessions() as session:
            reporter = Reporter(name=f"r-{uuid.uuid4().hex[:6]}", email="r@example.org")
            session.add(reporter)
            session.flush()
            item = Item(
                kind=kind,
                title=title,
                description=description,
                occurred_at=fields.pop("occurred_at", datetime.now(UTC) - timedelta(days=1)),
                contact=fields.pop("contact", "someone@example.org"),
                reporter_id=reporter.id,
                latitude=fields.pop("latitude", 52.37),
                longitude=fields.pop("longitude", 4.89),
                **fields,
            )
            session.add(item)
            session.commit()
            return item.id

    return make


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failed test shows the worker's last log lines: what it did is in its log, not here."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    worker = getattr(item, "funcargs", {}).get("worker")
    if report.failed and isinstance(worker, WorkerProcess) and worker.log.exists():
        lines = [
            line
            for line in worker.log.read_text(errors="replace").splitlines()
            if "sweep" not in line
        ][-80:]
        report.sections.append(("worker log (last 80 lines)", "\n".join(lines)))


def suggestion(candidate: uuid.UUID, total: float = 0.9, image: float | None = None) -> Suggestion:
    """A suggestion of `candidate` as matching makes one (its components plausible)."""
    return Suggestion(
        candidate_id=candidate,
        total=total,
        text=0.8,
        image=image,
        attributes=1.0,
        category=1.0,
        details=None,
        distance=0.9,
        time=0.9,
    )
