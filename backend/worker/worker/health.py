"""Worker health for probes: `worker_health()` (liveness) and `worker_readyz()` (readiness:
broker and database reachable). Answers within a couple of seconds even when a server hangs."""

from __future__ import annotations

import time
from functools import partial
from typing import Any

from kombu import Connection
from sqlalchemy.pool import NullPool

from backend.common.db import database_ready, make_engine
from backend.common.health import ReadinessRegistry
from backend.common.jobs import celery_config
from backend.worker.worker.details import word_vectors_readable
from backend.worker.worker.settings import WorkerSettings

CHECK_TIMEOUT_S = 2.0


def worker_health() -> dict[str, str]:
    return {"status": "ok", "worker": "celery"}


def worker_alive(settings: WorkerSettings | None = None) -> dict[str, Any]:
    """Liveness of the worker process itself: its liveness file is fresh. Broker or database
    outages do not make it fail (a restart would not cure them)."""
    settings = settings or WorkerSettings()
    try:
        age = time.time() - settings.liveness_file.stat().st_mtime
    except FileNotFoundError:
        return {"alive": False, "reason": "no liveness file: the worker has not started"}
    alive = age <= settings.liveness_max_age_s
    report: dict[str, Any] = {"alive": alive, "age_s": round(age, 1)}
    if not alive:
        report["reason"] = f"liveness file older than {settings.liveness_max_age_s:g} s"
    return report


def broker_reachable(settings: WorkerSettings, timeout_s: float = 1.5) -> bool:
    config = celery_config(settings)
    with Connection(
        settings.broker_url,
        transport=config.get("broker_transport"),
        connect_timeout=timeout_s,
        transport_options=config.get("broker_transport_options", {}),
    ) as connection:
        connection.ensure_connection(max_retries=1, timeout=timeout_s)
        connection.default_channel  # noqa: B018 - opening a channel proves the broker answers
    return True


def database_reachable(settings: WorkerSettings, timeout_s: float = 1.5) -> bool:
    kwargs: dict[str, Any] = {"poolclass": NullPool}
    if settings.database_url.startswith("postgresql"):
        kwargs["connect_args"] = {"connect_timeout": max(1, int(timeout_s))}
    engine = make_engine(settings.database_url, **kwargs)
    try:
        return database_ready(engine)
    finally:
        engine.dispose()


def matching_loads(settings: WorkerSettings) -> bool:
    """The fitted matching model (MATCH_MODEL_FILE) and the packaged word vectors read: without
    them nothing is matched."""
    return bool(settings.model().id) and word_vectors_readable()


def worker_readyz(settings: WorkerSettings | None = None) -> dict[str, Any]:
    """`{"ready": bool, "worker": "celery", "matching_model": id or None, "broker": {...},
    "database": {...}, "matching": {...}}`. The model's id says which fit this worker matches
    with: two workers with different ones would match each other's reports again and again
    (sweep.py)."""
    settings = settings or WorkerSettings()
    registry = ReadinessRegistry(default_timeout_s=CHECK_TIMEOUT_S)
    registry.register("broker", partial(broker_reachable, settings))
    registry.register("database", partial(database_reachable, settings))
    registry.register("matching", partial(matching_loads, settings))
    report = registry.status()
    ready = bool(report.pop("overall_ok"))
    model = settings.model().id if report["matching"]["ok"] else None
    return {"ready": ready, "worker": "celery", "matching_model": model, **report}
