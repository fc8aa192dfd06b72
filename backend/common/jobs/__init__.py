"""The Celery contract between the API (which sends) and the worker (which runs): task names
and broker configuration. The API sends tasks by name and never imports worker code."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from celery import Celery

from backend.common.jobs import filesystem
from backend.common.limits import MAX_TEXTS
from backend.common.settings import ServiceSettings

T = TypeVar("T")

# Stable task names: renaming one strands the messages already queued under the old name.
# The *_ITEMS tasks take a list of item ids (a batch is one NLP call), NOTIFY_MATCHES a list of
# match ids; the single names stay served for messages queued before batches existed (and the
# API asks for one match's notices with NOTIFY_MATCH).
ENRICH_ITEMS = "lostfound.enrich_items"
MATCH_ITEMS = "lostfound.match_items"
ENRICH_ITEM = "lostfound.enrich_item"
MATCH_ITEM = "lostfound.match_item"
NOTIFY_MATCHES = "lostfound.notify_matches"
NOTIFY_MATCH = "lostfound.notify_match"
SWEEP_PENDING = "lostfound.sweep_pending"

# A person's report goes to DEFAULT_QUEUE, an office's bulk upload to BULK_QUEUE: workers take
# from both in turn, so a person's report never waits behind ten thousand.
DEFAULT_QUEUE = "lostfound"
BULK_QUEUE = "lostfound.bulk"
QUEUES = (DEFAULT_QUEUE, BULK_QUEUE)


def celery_config(settings: ServiceSettings) -> dict[str, Any]:
    """Configuration shared by every Celery client and worker of this system."""
    config: dict[str, Any] = {
        "broker_url": settings.broker_url,
        "task_default_queue": DEFAULT_QUEUE,
        "task_serializer": "json",
        "accept_content": ["json"],
        "result_backend": None,
        "task_ignore_result": True,
        "broker_connection_retry_on_startup": True,
        "enable_utc": True,
    }
    if settings.uses_embedded_broker:
        # kombu's file-system transport: producers and consumers share one folder.
        queue_dir = settings.broker_dir / "queue"
        processed_dir = settings.broker_dir / "processed"
        # kombu's default is ./control, beside wherever the process was started.
        control_dir = settings.broker_dir / "control"
        for folder in (queue_dir, processed_dir, control_dir):
            folder.mkdir(parents=True, exist_ok=True)
        config["broker_transport"] = filesystem.TRANSPORT  # kombu's, with whole messages
        config["broker_transport_options"] = {
            "data_folder_in": str(queue_dir),
            "data_folder_out": str(queue_dir),
            "processed_folder": str(processed_dir),
            "control_folder": str(control_dir),
            "store_processed": False,
            "polling_interval": settings.broker_polling_interval_s,
        }
    else:
        # Redis: a message not acknowledged within this time is redelivered (acks_late).
        config["broker_transport_options"] = {"visibility_timeout": settings.visibility_timeout_s}
    return config


def in_batches(values: Sequence[T], size: int = MAX_TEXTS) -> Iterator[list[T]]:
    """`values` in order, in batches of at most `size`: a job of reports is what one NLP call
    takes (MAX_TEXTS), and neighbours stay in one batch (one candidate query)."""
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


def make_celery(settings: ServiceSettings, name: str) -> Celery:
    app = Celery(name)
    app.conf.update(celery_config(settings))
    return app


def trace_jobs() -> None:
    """Spans for sending and running tasks, the trace carried in each message's headers (in
    every process that sends or runs them, with tracing on)."""
    from opentelemetry.instrumentation.celery import CeleryInstrumentor

    CeleryInstrumentor().instrument()
