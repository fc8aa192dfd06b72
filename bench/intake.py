"""Bulk intake throughput on PostgreSQL + Redis, against the NLP service's own batch throughput
measured in the same run, with 1 and 2 worker processes.

The packaged services run as processes (tests/e2e/running.py). Per worker count: a fresh
database; an office uploads the lost reports of the last months (setup), then a day's finds of
a large office, 10,000 reports in one file, timed from the upload until every report is enriched
and matched (the batch's progress at 100 %), then until every owner is told of their suggestions
(no notice pending). Meanwhile a person posts one report: how long it waits for enrichment shows
that a bulk upload does not hold people up. CPU seconds per process say what limits the
throughput. Target: intake >= 0.5 of NLP's own throughput.

    ./pants run bench/intake.py -- [--reports 10000] [--lost 5000] [--workers 1 2]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import redis
from sqlalchemy import create_engine, text

from backend.common.limits import MAX_TEXTS
from backend.common.taxonomy import taxonomy
from backend.common.testing.postgres import throwaway_database
from backend.worker.worker.enrichment import describe
from bench._reports import GeneratedReport, reports
from deployment.local.stack import build, buildroot
from tests.e2e.running import ADMIN_TOKEN, Stack

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(groups: dict[str, int]) -> dict[str, float]:
    """CPU time so far of every process in each named process group, and of PostgreSQL's and
    Redis's server processes."""
    totals = dict.fromkeys([*groups, "postgres", "redis"], 0.0)
    by_group = {group: name for name, group in groups.items()}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)
            command = fields[0].split("(", 1)[1]
            values = fields[1].split()
        except (OSError, IndexError):
            continue
        used = (int(values[11]) + int(values[12])) / CLOCK_TICKS  # utime + stime
        group = int(values[2])
        if group in by_group:
            totals[by_group[group]] += used
        elif command.startswith("postgres"):
            totals["postgres"] += used
        elif command.startswith("redis-server"):
            totals["redis"] += used
    return totals


def nlp_texts_per_second(stack: Stack, texts: list[str], clients: int = 2) -> float:
    """NLP's own /analyze throughput: batches of MAX_TEXTS from `clients` callers at once."""
    batches = [texts[i : i + MAX_TEXTS] for i in range(0, len(texts), MAX_TEXTS)]
    with httpx.Client(base_url=stack.url("nlp"), timeout=120) as nlp:
        nlp.post("/analyze", json={"texts": batches[0]}).raise_for_status()  # warm
        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            for response in pool.map(lambda b: nlp.post("/analyze", json={"texts": b}), batches):
                response.raise_for_status()
        return len(texts) / (time.perf_counter() - started)


def jsonl(generated: list[GeneratedReport], prefix: str) -> bytes:
    rows = (
        json.dumps(report.body("desk@office.example", external_ref=f"{prefix}-{n}"))
        for n, report in enumerate(generated)
    )
    return "\n".join(rows).encode()


def upload_and_wait(api: httpx.Client, desk: dict[str, str], data: bytes, name: str) -> float:
    """Seconds from the upload until the batch is enriched and matched."""
    started = time.perf_counter()
    response = api.post(
        "/batches", files={"reports": (f"{name}.jsonl", data)}, headers=desk, timeout=600
    )
    response.raise_for_status()
    batch = response.json()
    print(f"  {name}: {batch['rows_accepted']} accepted in {time.perf_counter() - started:.1f} s")
    last = 0.0
    while True:
        progress = api.get(f"/batches/{batch['id']}", headers=desk).json()["progress"]
        if progress["percent"] >= 100:
            return time.perf_counter() - started
        if time.perf_counter() - last > 10:
            last = time.perf_counter()
            print(
                f"  {name}: {progress['enriched']} enriched, {progress['matched']} matched "
                f"of {progress['reports']} ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
        time.sleep(0.5)


def owners_told(database_url: str, started: float) -> float:
    """Seconds from `started` until every notice is delivered (none pending)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            while connection.execute(
                text("SELECT count(*) FROM notification WHERE status = 'pending'")
            ).scalar_one():
                connection.rollback()
                time.sleep(0.5)
    finally:
        engine.dispose()
    return time.perf_counter() - started


def person_waits(api: httpx.Client, report: GeneratedReport) -> float:
    """Seconds a person's report waits to be enriched while the bulk upload runs."""
    token = api.post("/reporters", json={"name": "Someone"}).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    started = time.perf_counter()
    created = api.post("/items", json=report.body("me@example.org"), headers=headers)
    created.raise_for_status()
    item = created.json()["id"]
    while api.get(f"/items/{item}", headers=headers).json()["enrichment_state"] != "done":
        time.sleep(0.05)
    return time.perf_counter() - started


@contextmanager
def running_stack(workers: int, redis_url: str) -> Iterator[Stack]:
    redis.Redis.from_url(redis_url).flushdb()
    with throwaway_database("lf_bench_intake") as url, tempfile.TemporaryDirectory() as data_dir:
        stack = Stack(
            Path(data_dir),
            database_url=url.render_as_string(hide_password=False),
            broker_url=redis_url,
            worker_args=(f"--concurrency={workers}",),
            pex_dir=buildroot() / "dist",
            extra_env={"LOG_LEVEL": "WARNING"},
        )
        try:
            stack.start()
            yield stack
        finally:
            stack.stop()


def measure(workers: int, args: argparse.Namespace) -> dict[str, Any]:
    lost = list(reports(args.lost, seed=1, kind="lost", days=60))
    found = list(reports(args.reports, seed=2, kind="found", days=7))
    vocabulary = taxonomy()
    texts = [describe(SimpleNamespace(**vars(r)), vocabulary) for r in found[: args.nlp_texts]]  # type: ignore[arg-type]
    print(f"\n{workers} worker process(es): starting the stack ...", flush=True)
    with running_stack(workers, args.redis_url) as stack:
        nlp_rate = nlp_texts_per_second(stack, texts)
        print(f"  NLP alone: {nlp_rate:.0f} texts/s (/analyze, batches of {MAX_TEXTS})")
        with httpx.Client(base_url=stack.url("api"), timeout=60) as api:
            office = api.post(
                "/offices",
                json={"name": "Lost property", "email": "desk@office.example"},
                headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
            ).json()
            desk = {"Authorization": f"Bearer {office['token']}"}
            upload_and_wait(api, desk, jsonl(lost, "lost"), "setup: lost reports")
            groups = {name: process.pid for name, process in stack.processes.items()}
            before = cpu_seconds(groups)

            def a_person_reports() -> float:
                time.sleep(5)  # the upload is under way
                return person_waits(api, lost[0])

            with ThreadPoolExecutor(1) as side:
                waited = side.submit(a_person_reports)
                elapsed = upload_and_wait(api, desk, jsonl(found, "found"), "finds")
                person = waited.result()
            after = cpu_seconds(groups)
            assert stack.database_url
            told = owners_told(stack.database_url, time.perf_counter() - elapsed)
            print(f"  finds: every owner told of their suggestions {told:.0f} s after the upload")
            after_told = cpu_seconds(groups)
    cpu = {name: after[name] - before[name] for name in after}
    return {
        "workers": workers,
        "nlp": nlp_rate,
        "intake": args.reports / elapsed,
        "elapsed": elapsed,
        "person": person,
        "cpu": cpu,
        "told": told,
        "cpu_told": {name: after_told[name] - before[name] for name in after_told},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=10_000, help="reports in the timed file")
    parser.add_argument("--lost", type=int, default=5_000, help="lost reports stored before")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--nlp-texts", type=int, default=2048, help="texts timing NLP alone")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--no-build", action="store_true", help="use the PEXes already in dist/")
    args = parser.parse_args()
    if not args.no_build:
        build(buildroot())
    results = [measure(workers, args) for workers in args.workers]

    print(f"\nbulk intake of {args.reports:,} reports on PostgreSQL + Redis (2 cores):")
    print(
        f"{'workers':>8}{'NLP texts/s':>13}{'intake/s':>10}{'ratio':>7}{'seconds':>9}"
        f"{'person waits':>14}   CPU seconds (api, nlp, vision, worker, postgres, redis)"
    )
    for r in results:
        cpu = r["cpu"]
        shares = ", ".join(
            f"{cpu.get(name, 0):.0f}"
            for name in ("api", "nlp", "vision", "worker", "postgres", "redis")
        )
        print(
            f"{r['workers']:>8}{r['nlp']:>13.0f}{r['intake']:>10.1f}{r['intake'] / r['nlp']:>7.2f}"
            f"{r['elapsed']:>9.1f}{r['person']:>12.2f} s   {shares}"
        )
    print("\nand until every owner is told of their suggestions (the notices delivered):")
    for r in results:
        told = r["cpu_told"]
        shares = ", ".join(
            f"{told.get(name, 0):.0f}"
            for name in ("api", "nlp", "vision", "worker", "postgres", "redis")
        )
        print(f"{r['workers']:>8} workers: {r['told']:.1f} s   CPU seconds {shares}")
    print("target: intake >= 0.5 of NLP's own throughput; a person's report enriched in ~1-2 s")


if __name__ == "__main__":
    main()
