"""Matching one new item against 10 k and 100 k stored items, beside the brute-force numpy
baseline (cosine of every stored embedding, then the top 5) measured in the same run.

    ./pants run bench/matching.py
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from backend.worker.worker import vectors
from backend.worker.worker.scoring import Candidates, Query, Scales, Weights, attribute_masks, score

DIM = 384
REPEATS = 7


def stored(n: int, rng: np.random.Generator) -> tuple[list[bytes], Candidates]:
    embeddings = rng.standard_normal((n, DIM)).astype(np.float32)
    embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True)
    blobs = [vectors.to_bytes(row) for row in embeddings]
    colours = ["black", "red", "blue", "green", "brown", "grey"]
    masks = np.array(
        [attribute_masks({"colours": [colours[i % 6]], "brands": ["fossil"]}) for i in range(n)],
        dtype=np.int64,
    )
    table = Candidates(
        embeddings=embeddings,
        masks=masks,
        latitude=52.3 + rng.random(n) * 0.2,
        longitude=4.8 + rng.random(n) * 0.2,
        occurred_days=20000 + rng.random(n) * 60,
        image=np.where(rng.random(n) < 0.3, rng.random(n), np.nan),
        category=np.where(rng.random(n) < 0.7, 1.0, np.nan),
        place=np.full(n, np.nan),
    )
    return blobs, table


def best_of(fn, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def main() -> None:
    rng = np.random.default_rng(0)
    weights = Weights(
        text=0.4, image=0.2, attributes=0.1, category=0.1, details=0.15, distance=0.03, time=0.02
    )
    scales = Scales(distance_km=5, time_days=14)
    query_vector = rng.standard_normal(DIM).astype(np.float32)
    query_vector /= np.linalg.norm(query_vector)
    query = Query(query_vector, attribute_masks({"colours": ["black"]}), 52.4, 4.9, 20030.0)

    print(f"{'stored items':>12}{'matching ms':>13}{'baseline ms':>13}{'ratio':>8}")
    for n in (10_000, 100_000):
        blobs, table = stored(n, rng)

        def matching(blobs: list[bytes] = blobs, table: Candidates = table) -> None:
            # What the worker does after the SQL filter: decode the stored bytes, score, top 5.
            embeddings = vectors.stack(blobs, DIM)
            parts = score(query, replace(table, embeddings=embeddings), weights, scales)
            top = np.argpartition(-parts["total"], 5)[:5]
            top[np.argsort(-parts["total"][top])]

        def baseline(table: Candidates = table) -> None:
            cosine = table.embeddings @ query_vector
            top = np.argpartition(-cosine, 5)[:5]
            top[np.argsort(-cosine[top])]

        ours, base = best_of(matching), best_of(baseline)
        print(f"{n:>12,}{ours:>13.1f}{base:>13.1f}{ours / base:>8.1f}")
    print("target: <= 100 ms at 100 k")


if __name__ == "__main__":
    main()
