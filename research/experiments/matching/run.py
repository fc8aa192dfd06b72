"""Runs the real matching over the labelled data set and prints recall@1, recall@5 and MRR for
the worker's default weights and for alternatives, with the mean number of unrelated reports
per lost item that score above the suggestion threshold (false alarms):

    ./pants run research/experiments/matching/run.py

Real parts: MiniLM embeddings and spaCy + domain-term attributes (the NLP service's code),
OpenCV features and similarity (the vision service's code), and the worker's scoring function
with its candidate rules (category, time window, distance).
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Any

import numpy as np

from backend.nlp.server.models import Models
from backend.nlp.server.settings import NlpSettings
from backend.vision.server.decoding import decode_image
from backend.vision.server.features import extract_features, parse_record, similarity
from backend.worker.worker.scoring import Candidates, Query, Scales, Weights, attribute_masks, score
from deployment.local.sample_data import photo_png
from research.experiments.matching.dataset import load

# The worker's defaults (backend/worker/worker/settings.py), and the alternatives compared.
DEFAULTS = Weights(text=0.45, image=0.25, attributes=0.2, distance=0.06, time=0.04)
VARIANTS = {
    "defaults": DEFAULTS,
    "text only": Weights(text=1, image=0, attributes=0, distance=0, time=0),
    "text + attributes": Weights(text=0.6, image=0, attributes=0.4, distance=0, time=0),
    "no image": replace(DEFAULTS, image=0),
    "image-heavy": Weights(text=0.3, image=0.5, attributes=0.1, distance=0.06, time=0.04),
    "attribute-heavy": Weights(text=0.35, image=0.2, attributes=0.35, distance=0.06, time=0.04),
    "place and time heavy": Weights(text=0.35, image=0.2, attributes=0.15, distance=0.2, time=0.1),
    "equal": Weights(text=0.2, image=0.2, attributes=0.2, distance=0.2, time=0.2),
}
SCALES = Scales(distance_km=5, time_days=14)
WINDOW_DAYS, MAX_DISTANCE_KM, THRESHOLD = 60.0, 50.0, 0.45


def describe(report: dict[str, Any]) -> str:
    # As the worker's enrichment does: the text plus the structured fields the reporter gave.
    parts = [report["title"], report["description"], report.get("colour"), report.get("category")]
    return ". ".join(part for part in parts if part)


def features(reports: list[dict[str, Any]]) -> dict[str, Any]:
    models = Models(NlpSettings())
    models.start_loading()
    assert models.wait_loaded(300) and models.ready, (models.embedding.error, models.ner.error)
    texts = [describe(r) for r in reports]
    embeddings = np.vstack(
        [models.submit_embedding(texts[i : i + 64]).result() for i in range(0, len(texts), 64)]
    )
    entities = models.entities(texts)
    photos: dict[str, Any] = {}
    for index, report in enumerate(reports):
        if report["photo"]:
            p = report["photo"]
            png = photo_png(p["seed"], tuple(p["rgb"]), p["turned"], 7000 + index)
            rgb, size = decode_image(png, max_bytes=10**8, max_pixels=10**8, work_size=640)
            photos[report["id"]] = parse_record(extract_features(rgb, size, 500))
    return {"embeddings": embeddings, "entities": entities, "photos": photos}


def evaluate(
    reports: list[dict[str, Any]], feats: dict[str, Any], weights: Weights
) -> dict[str, float]:
    found = [i for i, r in enumerate(reports) if r["kind"] == "found"]
    lost = [i for i, r in enumerate(reports) if r["kind"] == "lost"]
    masks = [
        attribute_masks(merged(reports[i], feats["entities"][i]["attributes"]))
        for i in range(len(reports))
    ]
    ranks, false_suggestions = [], []
    for q in lost:
        mine = reports[q]
        # The worker's SQL candidate rules: category compatible, time window, distance.
        pool = [
            i
            for i in found
            if (
                not mine["category"]
                or not reports[i]["category"]
                or reports[i]["category"] == mine["category"]
            )
            and abs(reports[i]["days_ago"] - mine["days_ago"]) <= WINDOW_DAYS
            and _km(mine, reports[i]) <= MAX_DISTANCE_KM
        ]
        image = np.array(
            [
                (
                    similarity(feats["photos"][mine["id"]], feats["photos"][reports[i]["id"]])[
                        "score"
                    ]
                    if mine["id"] in feats["photos"] and reports[i]["id"] in feats["photos"]
                    else np.nan
                )
                for i in pool
            ]
        )
        table = Candidates(
            embeddings=feats["embeddings"][pool],
            masks=np.array([masks[i] for i in pool], dtype=np.int64),
            latitude=np.array([reports[i]["latitude"] for i in pool]),
            longitude=np.array([reports[i]["longitude"] for i in pool]),
            occurred_days=np.array([-reports[i]["days_ago"] for i in pool]),
            image=image,
        )
        query = Query(
            feats["embeddings"][q], masks[q], mine["latitude"], mine["longitude"], -mine["days_ago"]
        )
        totals = score(query, table, weights, SCALES)["total"]
        order = [pool[j] for j in np.argsort(-totals, kind="stable")]
        target = next(
            (rank for rank, i in enumerate(order, 1) if reports[i]["pair"] == mine["pair"]),
            math.inf,
        )
        ranks.append(target)
        # Ranking is half the story: an unrelated report above the threshold is a false alarm.
        false_suggestions.append(
            sum(
                1
                for j, i in enumerate(pool)
                if reports[i]["pair"] != mine["pair"] and totals[j] >= THRESHOLD
            )
        )
    ranks_arr = np.array(ranks, dtype=float)
    return {
        "recall@1": float(np.mean(ranks_arr <= 1)),
        "recall@5": float(np.mean(ranks_arr <= 5)),
        "mrr": float(np.mean(1.0 / ranks_arr)),
        "false": float(np.mean(false_suggestions)),
    }


def merged(report: dict[str, Any], extracted: dict[str, list[str]]) -> dict[str, list[str]]:
    attributes = {key: list(values) for key, values in extracted.items()}
    for key, given in (("colours", report.get("colour")), ("categories", report.get("category"))):
        if given and given not in attributes.setdefault(key, []):
            attributes[key].append(given)
    return attributes


def _km(a: dict[str, Any], b: dict[str, Any]) -> float:
    dy = (a["latitude"] - b["latitude"]) * 111.32
    dx = (a["longitude"] - b["longitude"]) * 111.32 * math.cos(math.radians(a["latitude"]))
    return math.hypot(dx, dy)


def main() -> None:
    reports = load()
    pairs = sum(r["kind"] == "lost" for r in reports)
    distractors = sum(r["pair"] is None for r in reports)
    with_photo = sum(r["photo"] is not None for r in reports)
    started = time.perf_counter()
    feats = features(reports)
    print(
        f"data set: {pairs} pairs, {distractors} distractors, {with_photo} reports with photos "
        f"(features in {time.perf_counter() - started:.0f} s)"
    )
    print(f"{'weights':<24}{'recall@1':>10}{'recall@5':>10}{'MRR':>8}{'false/lost':>12}")
    for name, weights in VARIANTS.items():
        m = evaluate(reports, feats, weights)
        print(
            f"{name:<24}{m['recall@1']:>10.3f}{m['recall@5']:>10.3f}{m['mrr']:>8.3f}{m['false']:>12.2f}"
        )


if __name__ == "__main__":
    main()
