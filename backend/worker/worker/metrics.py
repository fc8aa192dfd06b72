"""The worker's metrics (docs/observability.md): tasks, enrichment failures, matching, the time a
person waits for a first suggestion, and the queues.

Tasks run in the prefork pool's child processes: their values go to PROMETHEUS_MULTIPROC_DIR
(set by the worker's entry point before anything imports prometheus_client), and the main
process serves the sum. Queue depths are read from the broker when Prometheus scrapes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from celery.signals import task_postrun, task_prerun
from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from backend.common.clock import in_utc, utcnow
from backend.common.metrics import SECONDS_BUCKETS

TASKS = Counter(
    "lostfound_worker_tasks_total",
    "Tasks the worker ran, by task name and outcome (success, failure, retry).",
    ["task", "outcome"],
)
TASK_SECONDS = Histogram(
    "lostfound_worker_task_duration_seconds",
    "Time one task ran, by task name.",
    ["task"],
    buckets=SECONDS_BUCKETS,
)
ENRICHMENT_FAILURES = Counter(
    "lostfound_enrichment_failures_total",
    "Reports whose enrichment attempt failed, by reason (each is recorded on the report, or "
    "retried).",
    ["reason"],
)
FIRST_SUGGESTION = Histogram(
    "lostfound_first_suggestion_seconds",
    "From a report's creation to its first suggestion, for reports that have one as soon as "
    "they are matched: what a person waits for. By kind (lost, found) and queue (a person's "
    "report: lostfound; an office's upload: lostfound.bulk).",
    ["kind", "queue"],
    buckets=(0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600),
)
MATCH_SECONDS = Histogram(
    "lostfound_match_seconds",
    "Time to find the suggestions of one batch of reports (retrieval, both passes, photos).",
    buckets=SECONDS_BUCKETS,
)
MATCH_CANDIDATES = Histogram(
    "lostfound_match_candidates",
    "Candidates one report's first pass scored (what retrieval let through).",
    buckets=(0, 10, 100, 500, 1000, 2500, 5000, 10000, 25000, 50000),
)

_started: dict[str, float] = {}  # task id -> start, in the process that runs it


@task_prerun.connect
def _task_started(task_id: str | None = None, **_: Any) -> None:
    if task_id:
        _started[task_id] = time.perf_counter()


@task_postrun.connect
def _task_ended(
    task_id: str | None = None, task: Any = None, state: str | None = None, **_: Any
) -> None:
    name = getattr(task, "name", None) or "unknown"
    outcome = {"SUCCESS": "success", "RETRY": "retry"}.get(state or "", "failure")
    TASKS.labels(name, outcome).inc()
    started = _started.pop(task_id or "", None)
    if started is not None:
        TASK_SECONDS.labels(name).observe(time.perf_counter() - started)


def first_suggestion(kind: str, queue: str, created_at: datetime) -> None:
    FIRST_SUGGESTION.labels(kind, queue).observe(
        max(0.0, (utcnow() - in_utc(created_at)).total_seconds())
    )


class QueueDepth(Collector):
    """`lostfound_queue_depth{queue}`, asked of the broker at each scrape, and
    `lostfound_broker_up` (0 when the broker could not say)."""

    def __init__(self, depths: Callable[[], dict[str, int] | None]) -> None:
        self._depths = depths

    def collect(self) -> Iterator[Metric]:
        depths = self._depths()
        up = GaugeMetricFamily(
            "lostfound_broker_up", "1 when the broker answered the last scrape's queue lengths."
        )
        up.add_metric([], 0 if depths is None else 1)
        yield up
        depth = GaugeMetricFamily(
            "lostfound_queue_depth", "Jobs waiting in each queue.", labels=["queue"]
        )
        for queue, waiting in (depths or {}).items():
            depth.add_metric([queue], waiting)
        yield depth
