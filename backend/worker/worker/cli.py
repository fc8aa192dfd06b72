"""Starts the worker: `worker.pex [--beat] [--concurrency N]` (beat runs the periodic sweep)."""

from __future__ import annotations

import argparse

from backend.common.jobs import QUEUES
from backend.common.log import configure_logging
from backend.worker.worker.app import celery_app, settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="worker", description=__doc__)
    parser.add_argument("--beat", action="store_true", help="also run the periodic scheduler")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    parser.add_argument("--pool", default="prefork", choices=["prefork", "solo", "threads"])
    args = parser.parse_args(argv)

    configure_logging(settings.log_level, settings.log_format)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
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
    celery_app.worker_main(worker_args)


if __name__ == "__main__":
    main()
