"""Enrichment throughput of the whole stack: embedded broker (files) against Redis, same run.

The packaged services run as processes (as `./pants run deployment/local:stack` runs them, worker
with two processes) on SQLite; only the broker differs. Reports are posted through the API and
timed until every one is enriched. Target: the embedded stack at least half as fast as Redis.

./pants run bench/enrich_throughput.py -- [--reports 200] [--redis-url redis://127.0.0.1:6379/13]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import httpx
import redis

from deployment.local.sample_data import DISTRACTORS, PAIRS
from deployment.local.stack import build, buildroot
from tests.e2e.running import Stack

REPORTS = [report for pair in PAIRS for report in pair] + DISTRACTORS


def post_reports(api: httpx.Client, count: int) -> list[str]:
    """Posts as one reporter (its token is then the client's: an identity document has no
    public view to poll)."""
    token = api.post("/reporters", json={"name": "bench"}).json()["token"]
    api.headers["Authorization"] = f"Bearer {token}"
    ids = []
    for index in range(count):
        body = REPORTS[index % len(REPORTS)].body("bench@example.org")
        body["title"] = f"{body['title']} #{index}"
        created = api.post("/items", json=body)
        created.raise_for_status()
        ids.append(created.json()["id"])
    return ids


def enriched_per_second(stack: Stack, count: int) -> tuple[float, float]:
    """(reports enriched per second from the first post to the last enrichment, seconds)."""
    with httpx.Client(base_url=stack.url("api"), timeout=30) as api:
        started = time.perf_counter()
        waiting = set(post_reports(api, count))
        print(f"  posted {count} reports in {time.perf_counter() - started:.1f} s", flush=True)
        last_report = time.perf_counter()
        while waiting:
            for item_id in list(waiting):
                state = api.get(f"/items/{item_id}").json()["enrichment_state"]
                if state != "pending":
                    waiting.discard(item_id)
            if time.perf_counter() - last_report > 10:
                last_report = time.perf_counter()
                print(f"  {count - len(waiting)}/{count} enriched", flush=True)
            if waiting:
                time.sleep(0.5)
        elapsed = time.perf_counter() - started
    return count / elapsed, elapsed


def measure(
    name: str, data_dir: Path, broker_url: str | None, count: int, env: dict[str, str]
) -> float:
    print(f"{name}: starting the stack ...", flush=True)
    stack = Stack(
        data_dir,
        database_url=None,
        broker_url=broker_url,
        worker_args=("--concurrency=2",),
        pex_dir=buildroot() / "dist",
        extra_env=env,
    )
    try:
        stack.start()
        rate, elapsed = enriched_per_second(stack, count)
    finally:
        stack.stop()
    print(f"{name}: {count} reports enriched in {elapsed:.1f} s = {rate:.1f} reports/s", flush=True)
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--no-build", action="store_true", help="use the PEXes already in dist/")
    parser.add_argument(
        "--polling-interval",
        type=float,
        default=None,
        help="BROKER_POLLING_INTERVAL_S for the embedded broker (default: the setting's default)",
    )
    args = parser.parse_args()

    if not args.no_build:
        build(buildroot())
    redis.Redis.from_url(args.redis_url).flushdb()
    with tempfile.TemporaryDirectory() as embedded_dir, tempfile.TemporaryDirectory() as redis_dir:
        polling = {}
        if args.polling_interval is not None:
            polling["BROKER_POLLING_INTERVAL_S"] = str(args.polling_interval)
        embedded = measure("embedded broker", Path(embedded_dir), None, args.reports, polling)
        on_redis = measure("redis broker", Path(redis_dir), args.redis_url, args.reports, {})
    print(
        f"\nenrichment throughput, {args.reports} reports, SQLite, worker --concurrency=2:\n"
        f"  embedded (file-system broker) {embedded:6.1f} reports/s\n"
        f"  redis                         {on_redis:6.1f} reports/s\n"
        f"  ratio embedded/redis          {embedded / on_redis:6.2f}  (target >= 0.5)"
    )


if __name__ == "__main__":
    main()
