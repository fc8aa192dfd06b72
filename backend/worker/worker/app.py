"""The Celery application of the worker, and the resources each worker process opens lazily
(after the prefork pool forked, so no connection is shared between processes)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from backend.common.db import make_engine, make_sessionmaker
from backend.common.jobs import SWEEP_PENDING, make_celery
from backend.worker.worker.clients import NlpClient, VisionClient
from backend.worker.worker.notify import DeliveryBackend, delivery_backend
from backend.worker.worker.settings import WorkerSettings

settings = WorkerSettings()

celery_app = make_celery(settings, "lostfound-worker")
celery_app.conf.update(
    # At least once: acknowledge after the task ran; a task whose process died is re-queued.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    worker_hijack_root_logger=False,
    imports=["backend.worker.worker.tasks"],
    beat_schedule={
        "sweep-pending": {"task": SWEEP_PENDING, "schedule": settings.sweep_interval_s},
    },
)
if not settings.uses_embedded_broker:
    # A task whose worker died (SIGKILL, OOM, lost node) comes back after the visibility timeout.
    celery_app.conf.broker_transport_options = {
        "visibility_timeout": settings.visibility_timeout_s,
        "unacked_restore_interval": settings.restore_interval_s,
        "unacked_restore_throttle": 1,
    }


@dataclass(frozen=True)
class Resources:
    engine: Engine
    sessions: sessionmaker[Session]
    nlp: NlpClient
    vision: VisionClient
    delivery: DeliveryBackend


@cache
def resources() -> Resources:
    engine = make_engine(settings.database_url)
    return Resources(
        engine=engine,
        sessions=make_sessionmaker(engine),
        nlp=NlpClient(settings.nlp_url, settings.http_timeout_s),
        vision=VisionClient(settings.vision_url, settings.http_timeout_s),
        delivery=delivery_backend(settings),
    )
