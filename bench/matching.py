"""The worker's first scoring pass over 10 k and 100 k candidates' match records (what it does
after SQL returned them: unpack, every component, the shortlist), beside the brute-force numpy
baseline (cosine of every stored float32 embedding, then the top 5) measured in the same run.
bench/matching_db.py times the whole match, the database included.

    ./pants run bench/matching.py
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import numpy as np

from backend.common import match_record
from backend.common.taxonomy import PACKAGED_TERMS
from backend.worker.worker.rules import category_codes
from backend.worker.worker.scoring import Scales, first_pass, match_model, shortlist

DIM = 384
REPEATS = 7
NOW = datetime(2026, 11, 30, tzinfo=UTC)


def stored(n: int, rng: np.random.Generator) -> tuple[list[bytes], np.ndarray]:
    embeddings = rng.standard_normal((n, DIM)).astype(np.float32)
    embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True)
    colours = ["black", "red", "blue", "green", "brown", "grey"]
    blobs = [
        match_record.pack(
            item_id=uuid.UUID(int=i),
            occurred_at=NOW - timedelta(days=float(rng.random() * 60)),
            latitude=None if i % 3 == 0 else 52.3 + rng.random() * 0.2,
            longitude=None if i % 3 == 0 else 4.8 + rng.random() * 0.2,
            attributes={"colours": [colours[i % 6]], "brands": ["fossil"]},
            canonical_category="wallet",
            vector=match_record.quantize(embeddings[i]),
            descriptor=(int(rng.integers(0, 2**63)), rng.bytes(64)) if i % 4 == 0 else None,
        )
        for i in range(n)
    ]
    return blobs, embeddings


def best_of(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def main() -> None:
    rng = np.random.default_rng(0)
    model = match_model()
    codes = category_codes(PACKAGED_TERMS)
    scales = Scales(distance_km=5, time_days=14)
    query_vector = rng.standard_normal(DIM).astype(np.float32)
    query_vector /= np.linalg.norm(query_vector)
    [mine] = match_record.unpack(
        [
            match_record.pack(
                item_id=uuid.uuid4(),
                occurred_at=NOW,
                latitude=52.4,
                longitude=4.9,
                attributes={"colours": ["black"]},
                canonical_category="wallet",
                vector=match_record.quantize(query_vector),
                descriptor=(12345, bytes(64)),
            )
        ],
        DIM,
    )

    print(f"{'candidates':>10}{'first pass ms':>15}{'baseline ms':>13}{'ratio':>8}")
    for n in (10_000, 100_000):
        blobs, embeddings = stored(n, rng)

        def first(blobs: list[bytes] = blobs) -> None:
            # Bytes from SQL -> records -> every first-pass component -> the 30 best.
            records = match_record.unpack(blobs, DIM)
            category = codes.compatibility(mine, records)
            probe, candidates = first_pass(mine, records, category, codes)
            shortlist(probe, candidates, model, scales, 30, 5)

        def baseline(embeddings: np.ndarray = embeddings) -> None:
            cosine = embeddings @ query_vector
            top = np.argpartition(-cosine, 5)[:5]
            top[np.argsort(-cosine[top])]

        ours, base = best_of(first), best_of(baseline)
        print(f"{n:>10,}{ours:>15.1f}{base:>13.1f}{ours / base:>8.1f}")
    print("target: <= 100 ms at 100 k (the whole match with the database: bench/matching_db.py)")


if __name__ == "__main__":
    main()
