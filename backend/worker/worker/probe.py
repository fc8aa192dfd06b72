"""Probe commands (Kubernetes exec probes): exit 0 when fine, 1 otherwise, JSON on stdout.

`probe` is readiness (broker and database answer); `probe --live` is liveness (this worker's
own process still turns: its liveness file is fresh).
"""

from __future__ import annotations

import argparse
import json
import sys

from backend.worker.worker.health import worker_alive, worker_readyz


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="probe", description=__doc__)
    parser.add_argument("--live", action="store_true", help="liveness instead of readiness")
    args = parser.parse_args(argv)
    if args.live:
        report = worker_alive()
        ok = bool(report["alive"])
    else:
        report = worker_readyz()
        ok = bool(report["ready"])
    print(json.dumps(report))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
