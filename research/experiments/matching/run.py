"""Reports the worker's matching on every labelled set, with the fitted model
(backend/worker/worker/matching_model.json): recall@1 and recall@5 of what a person is shown,
MRR, wrong suggestions per lost report, the true matches never suggested, and the same by kind
of noise. Also the text embedding alone, as a baseline.

    ./pants run research/experiments/matching/run.py                   # our sets
    ./pants run research/experiments/matching/run.py -- --set-a PATH   # also ../shared's set A
    ./pants run research/experiments/matching/run.py -- --explain      # every miss, in words
    ./pants run research/experiments/matching/run.py -- --only=hand    # one of our sets

The model was fitted on `tune` (fit.py); `hand`, `desks`, `forms` and `calls` (by hand), `noisy`
(an older generator) and set A (written outside the project) are never used to choose anything.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from backend.worker.worker.scoring import Logistic, MatchModel
from research.experiments.matching.harness import (
    SETTINGS,
    Dataset,
    Enriched,
    Scores,
    enrich,
    load_set,
    rank,
    score_set,
)

SETS = ("tune", "hand", "noisy", "desks", "forms", "calls")
ONLY = [a.split("=", 1)[1] for a in sys.argv if a.startswith("--only=")]

# The text embedding alone: the cosine ranks, everything above 0.6 within 0.1 is suggested.
TEXT_ONLY = MatchModel(
    Logistic(0.0, {"text": 30.0}, {}), Logistic(-18.0, {"text": 30.0}, {}), 0.5, 0.1
)


def line(name: str, s: Scores) -> str:
    return (
        f"{name:<24}{s.recall1:>9.3f}{s.recall5:>9.3f}{s.mrr:>7.3f}"
        f"{s.wrong_per_lost:>8.2f}{s.never:>7d} of {s.lost}"
        f"   ranked {s.ranked1:.3f} / {s.ranked5:.3f}"
    )


def report(dataset: Dataset, enriched: Enriched) -> Scores:
    model = SETTINGS.model()
    scores = score_set(dataset, enriched, model)
    text = score_set(dataset, enriched, TEXT_ONLY)
    print(f"{'':<24}{'recall@1':>9}{'recall@5':>9}{'MRR':>7}{'wrong':>8}{'never':>7}")
    print(line("matching", scores))
    print(line("text embedding alone", text))
    print(f"  by noise ({'recall@1':>8} {'recall@5':>8}):")
    for kind, (r1, r5, n) in scores.by_noise.items():
        print(f"    {kind or '-':<12}{r1:>8.2f} {r5:>8.2f}   ({n} pairs)")
    return scores


def explain(dataset: Dataset, enriched: Enriched, scores: Scores) -> None:
    model = SETTINGS.model()
    for q, kind, full in scores.misses:
        truth = dataset.truth[q]
        mine = dataset.reports[q]
        ranking = rank(dataset, enriched, q, model)
        print(f"\n[{kind}] LOST {mine.title!r}: {enriched.texts[q]!r}")
        print(f"  truth {dataset.reports[truth].title!r}: {enriched.texts[truth]!r}")
        print(
            f"  truth's rank among candidates: {full}  (candidate: {truth in ranking.candidates})"
        )
        for n, i in enumerate(ranking.order[:3]):
            parts = {k: round(float(v[n]), 2) for k, v in ranking.parts.items()}
            mark = "*" if i == truth else " "
            print(f"  {mark}#{n + 1} {dataset.reports[i].title!r} {parts}")
        if full and full > 3:
            n = full - 1
            parts = {k: round(float(v[n]), 2) for k, v in ranking.parts.items()}
            print(f"  *#{full} {dataset.reports[truth].title!r} {parts}")


def main() -> None:
    names: list[tuple[str, Path | None]] = [(name, None) for name in ONLY or SETS]
    if "--set-a" in sys.argv:
        names.append(("set-a", Path(sys.argv[sys.argv.index("--set-a") + 1])))
    fitted = SETTINGS.model().fitted_on
    print(f"model fitted on {fitted}; threshold {SETTINGS.model().threshold:.2f}")
    for name, path in names:
        dataset = load_set(name, path)
        started = time.perf_counter()
        enriched = enrich(dataset)
        photos = len(enriched.photos)
        print(
            f"\n{name}: {len(dataset.truth)} lost, {len(dataset.reports) - len(dataset.truth)} "
            f"found, {photos} photos (enriched in {time.perf_counter() - started:.0f} s)"
        )
        scores = report(dataset, enriched)
        if "--explain" in sys.argv:
            explain(dataset, enriched, scores)
    np.seterr(all="ignore")


if __name__ == "__main__":
    main()
