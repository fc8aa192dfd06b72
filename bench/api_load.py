"""Load test: the API's /healthz and item listing against a bare FastAPI app, same machine;
and the API with its metrics on (METRICS_PORT set: every request counted and timed) against off.

./pants run bench/api_load.py -- [--requests 3000] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from backend.api.app.main import create_app
from backend.api.app.settings import ApiSettings
from backend.common.db import make_engine, make_sessionmaker
from backend.common.db.migrations import upgrade
from backend.common.models import Item, ItemKind, Reporter
from bench._serve import served

ITEMS = 200


def seed(settings: ApiSettings) -> None:
    upgrade(settings.database_url)
    sessions = make_sessionmaker(make_engine(settings.database_url))
    with sessions() as session:
        reporter = Reporter(name="bench")
        session.add(reporter)
        session.flush()
        now = datetime.now(UTC)
        for i in range(ITEMS):
            session.add(
                Item(
                    kind=ItemKind.LOST if i % 2 else ItemKind.FOUND,
                    title=f"Item {i}",
                    description="black leather wallet with cards " * 3,
                    category="wallet",
                    latitude=52.37 + i * 1e-4,
                    longitude=4.89,
                    occurred_at=now - timedelta(hours=i),
                    contact="bench@example.org",
                    reporter_id=reporter.id,
                )
            )
        session.commit()


def bare_app(page: list[dict[str, Any]]) -> FastAPI:
    """The baseline: FastAPI answering the same routes from memory, no database."""
    app = FastAPI()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz() -> dict[str, bool]:
        return {"ready": True}

    @app.get("/items")
    def items() -> dict[str, Any]:
        return {"items": page, "total": ITEMS, "page": 1, "page_size": len(page)}

    return app


async def hammer(url: str, requests: int, concurrency: int) -> float:
    async with httpx.AsyncClient(timeout=30) as client:
        await client.get(url)  # warm up

        async def one_worker(count: int) -> None:
            for _ in range(count):
                response = await client.get(url)
                response.raise_for_status()

        started = time.perf_counter()
        share = requests // concurrency
        await asyncio.gather(*(one_worker(share) for _ in range(concurrency)))
        return share * concurrency / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="bench-api-"))
    settings = ApiSettings(data_dir=data)
    seed(settings)
    listing = "/items?page_size=20"
    paths = ("/healthz", listing)
    # The port is not opened here (the server's entry point does that): the app counts either way.
    measured = settings.model_copy(update={"metrics_port": 9100})
    apps = {"api": lambda: create_app(measured), "api, no metrics": lambda: create_app(settings)}
    results: dict[str, dict[str, float]] = {}
    # Alternating, twice: a drift of the machine's speed does not favour one side.
    for _round in range(2):
        for name, factory in apps.items():
            with served(factory) as (url, _, _):
                for path in paths:
                    rate = asyncio.run(hammer(url + path, args.requests, args.concurrency))
                    results.setdefault(name, {}).setdefault(path, 0.0)
                    results[name][path] += rate / 2
    with served(lambda: create_app(settings)) as (url, _, _):
        page = httpx.get(url + listing).json()["items"]
    with served(lambda: bare_app(page)) as (url, _, _):
        results["bare"] = {
            path: asyncio.run(hammer(url + path, args.requests, args.concurrency)) for path in paths
        }

    print(f"{'endpoint':<24}{'api req/s':>12}{'bare req/s':>12}{'ratio':>8}")
    for path in paths:
        api, bare = results["api"][path], results["bare"][path]
        print(f"{path:<24}{api:>12.0f}{bare:>12.0f}{api / bare:>8.2f}")
    print(f"\n{'endpoint':<24}{'metrics on':>12}{'off':>12}{'ratio':>8}  (target >= 0.95)")
    for path in paths:
        on, off = results["api"][path], results["api, no metrics"][path]
        print(f"{path:<24}{on:>12.0f}{off:>12.0f}{on / off:>8.2f}")


if __name__ == "__main__":
    main()
