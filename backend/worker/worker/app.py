"""The Celery application of the worker, and the resources each worker process opens lazily
(after the prefork pool forked, so no connection is shared between processes)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar

from celery import bootsteps
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from backend.common.db import make_engine, make_sessionmaker
from backend.common.jobs import SWEEP_PENDING, make_celery
from backend.worker.worker.clients import NlpClient, VisionClient
from backend.worker.worker.settings import WorkerSettings

settings = WorkerSettings()

celery_app = make_celery(settings, "lostfound-worker")
celery_app.conf.update(
    # At least once: acknowledge after the task ran; a task whose process died is re-queued.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    worker_hijack_root_logger=False,
    imports=["backend.worker.worker.tasks", "backend.worker.worker.sweep"],
    beat_schedule={
        "sweep-pending": {"task": SWEEP_PENDING, "schedule": settings.sweep_interval_s},
    },
)
if not settings.uses_embedded_broker:
    # A task whose worker died (SIGKILL, OOM, lost node) comes back after the visibility timeout.
    celery_app.conf.broker_transport_options = {
        **celery_app.conf.broker_transport_options,  # the visibility timeout: common settings
        "unacked_restore_interval": settings.restore_interval_s,
        "unacked_restore_throttle": 1,
    }


class LivenessFile(bootsteps.StartStopStep):
    """Touches LIVENESS_FILE from the worker's own timer: the file ages only when the worker's
    main loop stops turning (hung, deadlocked), which is what the liveness probe asks."""

    requires: ClassVar[set[str]] = {"celery.worker.components:Timer"}

    def start(self, worker: Any) -> None:
        touch_liveness_file()
        self._entry = worker.timer.call_repeatedly(
            settings.liveness_interval_s, touch_liveness_file
        )

    def stop(self, worker: Any) -> None:
        entry = getattr(self, "_entry", None)
        if entry is not None:
            entry.cancel()


def touch_liveness_file() -> None:
    path = settings.liveness_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    os.utime(path)


celery_app.steps["worker"].add(LivenessFile)


@dataclass(frozen=True)
class Resources:
    engine: Engine
    sessions: sessionmaker[Session]
    nlp: NlpClient
    vision: VisionClient


@cache
def resources() -> Resources:
    engine = make_engine(settings.database_url)
    return Resources(
        engine=engine,
        sessions=make_sessionmaker(engine),
        nlp=NlpClient(settings.nlp_url, settings.http_timeout_s),
        vision=VisionClient(settings.vision_url, settings.http_timeout_s),
    )
