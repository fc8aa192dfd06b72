"""Soak: the API's /healthz and item listing held at 64 connections for 60 s each, beside a bare
FastAPI app under the same load. Prints errors (target 0), throughput against the bare app, and
the server's memory growth from the end of warm-up to the end of the run (target under 10 %).

./pants run bench/api_soak.py -- [--seconds 60] [--connections 64] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

from backend.api.app.main import create_app
from backend.api.app.settings import ApiSettings
from bench._serve import rss_mib, served
from bench.api_load import bare_app, seed

LISTING = "/items?page_size=20"
WARM_UP_S = 5.0


async def soak(url: str, seconds: float, connections: int) -> tuple[int, Counter[str], float]:
    """Requests done, errors by kind, and the seconds it took."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    errors: Counter[str] = Counter()
    done = 0
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        deadline = time.monotonic() + seconds

        async def connection() -> None:
            nonlocal done
            while time.monotonic() < deadline:
                try:
                    response = await client.get(url)
                    if response.status_code != 200:
                        errors[f"HTTP {response.status_code}"] += 1
                except httpx.HTTPError as exc:
                    errors[type(exc).__name__] += 1
                done += 1

        started = time.perf_counter()
        await asyncio.gather(*(connection() for _ in range(connections)))
        return done, errors, time.perf_counter() - started


def measure(url: str, pid: int, path: str, seconds: float, connections: int) -> dict[str, float]:
    asyncio.run(soak(url + path, WARM_UP_S, connections))  # pools, caches, first allocations
    before = rss_mib(pid)
    done, errors, elapsed = asyncio.run(soak(url + path, seconds, connections))
    after = rss_mib(pid)
    if errors:
        print(f"  {path}: errors {dict(errors)}")
    return {
        "requests": done,
        "errors": sum(errors.values()),
        "rate": done / elapsed,
        "rss_before": before,
        "rss_after": after,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp folder")
    args = parser.parse_args()

    settings = ApiSettings(
        data_dir=Path(tempfile.mkdtemp(prefix="bench-soak-")), database_url=args.database_url
    )
    seed(settings)
    results: dict[str, dict[str, dict[str, float]]] = {"api": {}, "bare": {}}
    with served(lambda: create_app(settings)) as (url, pid, _):
        page = httpx.get(url + LISTING).json()["items"]
        for path in ("/healthz", LISTING):
            print(f"api {path}: {args.seconds:g} s at {args.connections} connections ...")
            results["api"][path] = measure(url, pid, path, args.seconds, args.connections)
    with served(lambda: bare_app(page)) as (url, pid, _):
        for path in ("/healthz", LISTING):
            print(f"bare {path}: {args.seconds:g} s at {args.connections} connections ...")
            results["bare"][path] = measure(url, pid, path, args.seconds, args.connections)

    print(
        f"\n{'endpoint':<22}{'requests':>10}{'errors':>8}{'req/s':>8}{'bare':>8}{'ratio':>7}"
        f"{'RSS MiB':>16}{'growth':>8}"
    )
    for path in ("/healthz", LISTING):
        api, bare = results["api"][path], results["bare"][path]
        growth = api["rss_after"] / api["rss_before"] - 1
        print(
            f"{path:<22}{api['requests']:>10.0f}{api['errors']:>8.0f}{api['rate']:>8.0f}"
            f"{bare['rate']:>8.0f}{api['rate'] / bare['rate']:>7.2f}"
            f"{api['rss_before']:>8.0f} ->{api['rss_after']:>5.0f}{growth:>8.1%}"
        )


if __name__ == "__main__":
    main()
