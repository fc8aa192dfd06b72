"""Readiness probe command (Kubernetes exec probe): exit 0 when ready, 1 otherwise."""

from __future__ import annotations

import json
import sys

from backend.worker.worker.health import worker_readyz


def main() -> None:
    report = worker_readyz()
    print(json.dumps(report))
    sys.exit(0 if report["ready"] else 1)


if __name__ == "__main__":
    main()
