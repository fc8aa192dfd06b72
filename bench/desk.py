"""A lost-property desk with 100,000 items, on PostgreSQL: its review queue and its statistics
over HTTP (the API served by uvicorn), p50/p95 against `GET /reporters/me` in the same run (the
same token check and database round trip, nothing else): the baseline.

The office's items (a fixture made once and reused, `--reseed` to make it again): found reports
over two years, 20 categories, each in custody (45 % handed over after 0-30 days, 20 % disposed
of, the rest held); people's lost reports with a suggested match to one of them for a fifth.
Written with COPY through the real schema (migrations).

    ./pants run bench/desk.py -- [--items 100000] [--requests 100] [--reseed]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import numpy as np
import psycopg
from pydantic import SecretStr
from sqlalchemy import make_url

from backend.api.app.main import create_app
from backend.api.app.settings import ApiSettings
from backend.common.db.migrations import upgrade
from backend.common.models import Credential, CredentialKind, hash_secret
from bench._fixtures import fixture_database
from bench._serve import served

TOKEN = "bench-desk-office-token"
CATEGORIES = [
    "wallet", "phone", "keys", "umbrella", "backpack", "bag", "glasses", "headphones", "laptop",
    "watch", "scarf", "coat", "hat", "gloves", "book", "bottle", "bicycle", "passport",
    "id card", "bank card",
]  # fmt: skip


def _copy(
    connection: psycopg.Connection, table: str, columns: list[str], rows: list[tuple]
) -> None:
    with connection.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def seed(url: str, items: int) -> None:
    upgrade(url)
    rng = random.Random(7)
    now = datetime.now(UTC)
    office, person = uuid.uuid4(), uuid.uuid4()
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as connection:
        _copy(
            connection,
            "reporter",
            ["id", "name", "role", "created_at", "updated_at"],
            [(office, "Bench desk", "office", now, now), (person, "People", "person", now, now)],
        )
        credential = Credential(
            reporter_id=office,
            kind=CredentialKind.TOKEN,
            secret_hash=hash_secret(TOKEN),
            expires_at=now + timedelta(days=3650),
        )
        _copy(
            connection,
            "credential",
            ["id", "reporter_id", "kind", "secret_hash", "created_at", "expires_at"],
            [(uuid.uuid4(), office, "token", credential.secret_hash, now, credential.expires_at)],
        )
        item_columns = [
            "id", "kind", "title", "description", "category", "occurred_at", "reporter_id",
            "contact", "status", "enrichment_state", "enrichment_attempts", "created_at",
            "updated_at",
        ]  # fmt: skip
        found, lost, custody, matches = [], [], [], []
        for index in range(items):
            item_id = uuid.uuid4()
            category = CATEGORIES[index % len(CATEGORIES)]
            held_since = now - timedelta(days=rng.uniform(0, 730))
            fate = rng.random()
            state, ended, status = "held", None, "open"
            if fate < 0.45:
                state, ended, status = (
                    "handed_over",
                    held_since + timedelta(days=rng.uniform(0, 30)),
                    "returned",
                )
            elif fate < 0.65:
                state, ended, status = (
                    "disposed",
                    held_since + timedelta(days=rng.uniform(90, 120)),
                    "closed",
                )
            found.append(
                (item_id, "found", f"{category} {index}", "", category, held_since, office,
                 "desk@example.org", status, "done", 1, held_since, held_since)
            )  # fmt: skip
            custody.append(
                (item_id, office, state, f"shelf {index % 400}", category, None,
                 category in ("passport", "id card", "bank card"), held_since,
                 (held_since + timedelta(days=91)).date(), ended)
            )  # fmt: skip
            if rng.random() < 0.2:
                lost_id = uuid.uuid4()
                lost.append(
                    (lost_id, "lost", f"lost {category}", "", category, held_since, person,
                     "someone@example.org", "open", "done", 1, held_since, held_since)
                )  # fmt: skip
                matches.append(
                    (uuid.uuid4(), lost_id, item_id, rng.random(), rng.random(), 1.0, 1.0, 1.0,
                     False, False, "suggested", held_since, held_since)
                )  # fmt: skip
        _copy(connection, "item", item_columns, found + lost)
        _copy(
            connection,
            "custody",
            ["item_id", "office_id", "state", "location", "category", "value_eur", "sensitive",
             "held_since", "keep_until", "ended_at"],
            custody,
        )  # fmt: skip
        _copy(
            connection,
            "match",
            ["id", "lost_item_id", "found_item_id", "score", "text_score", "attribute_score",
             "distance_score", "time_score", "lost_confirmed", "found_confirmed", "status",
             "created_at", "updated_at"],
            matches,
        )  # fmt: skip
        connection.execute("ANALYZE")
        connection.commit()
    print(f"seeded {items:,} desk items, {len(matches):,} suggested matches")


def timed(client: httpx.Client, path: str, requests: int) -> np.ndarray:
    client.get(path).raise_for_status()  # warm
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(path).raise_for_status()
        times.append((time.perf_counter() - started) * 1000)
    return np.array(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()

    url = fixture_database(
        f"lf_bench_desk_{args.items}", lambda url: seed(url, args.items), reseed=args.reseed
    )

    since = (datetime.now(UTC) - timedelta(days=730)).strftime("%Y-%m")
    paths = {
        "GET /reporters/me (baseline)": "/reporters/me",
        "GET /offices/me/review": "/offices/me/review",
        "GET /offices/me/statistics (12 months)": "/offices/me/statistics",
        "GET /offices/me/statistics (24 months)": f"/offices/me/statistics?since={since}",
        "GET /offices/me/expired": "/offices/me/expired",
    }
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with tempfile.TemporaryDirectory() as scratch:
        settings = ApiSettings(
            database_url=url, data_dir=Path(scratch), admin_token=SecretStr("x" * 40)
        )
        with (
            served(lambda: create_app(settings)) as (base, _pid, _ready),
            httpx.Client(base_url=base, headers=auth, timeout=60) as client,
        ):
            results = {name: timed(client, path, args.requests) for name, path in paths.items()}
    baseline = float(np.percentile(results["GET /reporters/me (baseline)"], 95))
    print(f"{args.items:,} items of one office; {args.requests} requests each, one at a time")
    for name, times in results.items():
        p50, p95 = np.percentile(times, 50), np.percentile(times, 95)
        ratio = p95 / baseline
        print(f"  {name:42s} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  ({ratio:5.1f}x baseline p95)")
    print("target: review queue and statistics p95 <= 200 ms")


if __name__ == "__main__":
    main()
