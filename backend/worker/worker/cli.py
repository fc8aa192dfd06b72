"""Starts the worker: `worker.pex [--beat] [--concurrency N]` (beat runs the periodic sweep)."""

from __future__ import annotations

import os

# One BLAS thread in each worker process, set before numpy loads OpenBLAS (backend.common
# imports it): the pool already runs a process per core, and OpenBLAS's own threads, one per
# core and spinning between products, made the processes fight for the cores (bench/intake.py:
# the worker's CPU seconds 90 -> 60 for the same file). A deployment may still choose.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from backend.common.jobs import QUEUES  # noqa: E402
from backend.common.log import configure_logging  # noqa: E402
from backend.worker.worker.settings import WorkerSettings  # noqa: E402

METRICS_FOLDER_ENV = "PROMETHEUS_MULTIPROC_DIR"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="worker", description=__doc__)
    parser.add_argument("--beat", action="store_true", help="also run the periodic scheduler")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    parser.add_argument("--pool", default="prefork", choices=["prefork", "solo", "threads"])
    args = parser.parse_args(argv)

    settings = WorkerSettings()
    configure_logging(settings.log_level, settings.log_format)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if settings.metrics_port:
        share_metrics_between_processes(settings)

    # Imported only now: the tasks' metrics must see the shared folder.
    from backend.common import tracing
    from backend.common.jobs import trace_jobs
    from backend.common.telemetry import start_telemetry
    from backend.worker.worker.app import celery_app
    from backend.worker.worker.details import packaged_word_vectors
    from backend.worker.worker.metrics import QueueDepth
    from backend.worker.worker.sweep import queue_depths

    start_telemetry(settings, "worker", [QueueDepth(queue_depths)])
    if tracing.enabled(settings):
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

        trace_jobs()
        HTTPXClientInstrumentor().instrument()  # calls to NLP and vision go on in their spans

    worker_args = [
        "worker",
        f"--loglevel={settings.log_level}",
        f"--queues={','.join(QUEUES)}",
        f"--concurrency={args.concurrency}",
        f"--pool={args.pool}",
        "--without-gossip",
        "--without-mingle",
    ]
    if args.beat:
        worker_args += ["--beat", f"--schedule={settings.data_dir / 'celerybeat-schedule'}"]
    # Read once before the pool forks, so its processes share the table's pages.
    packaged_word_vectors()
    celery_app.worker_main(worker_args)


def share_metrics_between_processes(settings: WorkerSettings) -> None:
    """Tasks run in forked processes: each writes its metrics to files in one folder, emptied
    at start (an earlier run's counts are not this one's), and the main process serves the sum."""
    if "prometheus_client" in sys.modules:
        raise RuntimeError("prometheus_client was imported before its multiprocess folder was set")
    folder = Path(os.environ.get(METRICS_FOLDER_ENV) or settings.data_dir / "metrics")
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()
    os.environ[METRICS_FOLDER_ENV] = str(folder)


if __name__ == "__main__":
    main()
