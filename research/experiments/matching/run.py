"""Runs the worker's matching over the labelled data sets and prints, per weighting:
recall@1, recall@5, MRR, how many true matches were never suggested, and unrelated suggestions
per lost report (above the threshold, within the worker's cap); then precision and recall of
suggestions at several thresholds.

    ./pants run research/experiments/matching/run.py            # ~1 min on 2 cores

Real parts: MiniLM embeddings and spaCy + taxonomy attributes (the NLP service's code), OpenCV
features and similarity (the vision service's code), each report's match record
(backend/common/match_record.py: the int8 embedding and photo descriptor the worker stores), and
the worker's own rules, candidate rule, two-pass scoring and shortlist
(backend/worker/worker/rules.py, scoring.py, settings.py). Only the SQL that narrows candidates
before `rules.candidate_mask` is not run.
"""

from __future__ import annotations

import math
import sys
import time
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from backend.common import match_record
from backend.common.photo_similarity import descriptor_or_none
from backend.nlp.server.models import Models
from backend.nlp.server.settings import NlpSettings
from backend.vision.server.decoding import decode_image
from backend.vision.server.features import extract_features, parse_record, similarity
from backend.worker.worker.rules import (
    candidate_mask,
    canonical_values,
    category_codes,
    detail_text,
    merged_attributes,
    place_name,
)
from backend.worker.worker.scoring import (
    Refined,
    Weights,
    detail_scores,
    finish,
    first_pass,
    missing_as_nan,
    place_agreement,
    shortlist,
)
from backend.worker.worker.settings import WorkerSettings
from deployment.local.sample_data import photo_png
from research.experiments.matching.dataset import load

SETTINGS = WorkerSettings()
DEFAULTS = SETTINGS.weights()
SCALES = SETTINGS.scales()
NOW = datetime(2026, 11, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Variant:
    weights: Weights
    # The candidate rule before this change: the typed category compared as written.
    typed_category_filter: bool = False
    shortlist: int = SETTINGS.shortlist
    photo_shortlist: int = SETTINGS.photo_shortlist
    photo_checks: int = SETTINGS.photo_checks
    # The embeddings as NLP gave them (float32), not the records' int8.
    float_embeddings: bool = False


VARIANTS = {
    "worker defaults": Variant(DEFAULTS),
    "before: typed category filter": Variant(
        replace(DEFAULTS, category=0, details=0), typed_category_filter=True
    ),
    "no details": Variant(replace(DEFAULTS, details=0)),
    "no category component": Variant(replace(DEFAULTS, category=0)),
    "MiniLM cosine only": Variant(
        Weights(text=1, image=0, attributes=0, category=0, details=0, distance=0, time=0)
    ),
    "details-heavy": Variant(replace(DEFAULTS, details=0.3)),
    "text-heavy": Variant(replace(DEFAULTS, text=0.6)),
    # What the two-pass bound costs: every candidate through the second pass, every photo
    # checked by vision (what matching did before records and shortlists).
    "exact: no shortlist": Variant(DEFAULTS, shortlist=10**6, photo_checks=10**6),
    "float32 embeddings": Variant(DEFAULTS, float_embeddings=True),
    "shortlist 30": Variant(DEFAULTS, shortlist=30),
}


def describe(report: dict[str, Any]) -> str:
    # As the worker's enrichment does: the text plus the structured fields the reporter gave.
    parts = [
        report["title"],
        report["description"],
        report.get("colour"),
        report.get("brand"),
        report.get("category"),
    ]
    return ". ".join(part for part in parts if part)


def enrich(reports: list[dict[str, Any]]) -> dict[str, Any]:
    models = Models(NlpSettings())
    models.start_loading()
    assert models.wait_loaded(300) and models.ready, (models.embedding.error, models.ner.error)
    texts = [describe(r) for r in reports]
    embeddings = np.vstack(
        [models.submit_embedding(texts[i : i + 64]).result() for i in range(0, len(texts), 64)]
    )
    vocabulary = category_codes(SETTINGS.taxonomy_file).vocabulary
    attributes, canonical = [], []
    for report, found in zip(reports, models.entities(texts), strict=True):
        merged = merged_attributes(
            found["attributes"],
            vocabulary,
            colour=report.get("colour"),
            brand=report.get("brand"),
            category=report.get("category"),
        )
        attributes.append(merged)
        canonical.append(canonical_values(merged, vocabulary))
    photos: dict[str, Any] = {}
    records: dict[str, Any] = {}
    for index, report in enumerate(reports):
        if report["photo"]:
            p = report["photo"]
            png = photo_png(p["seed"], tuple(p["rgb"]), p["turned"], 7000 + index)
            rgb, size = decode_image(
                png, max_bytes=10**8, max_pixels=10**8, max_decoded_pixels=10**8, work_size=640
            )
            records[report["id"]] = extract_features(rgb, size, 500)
            photos[report["id"]] = parse_record(records[report["id"]])
    # Each report's match record, as the worker stores it.
    packed = [
        match_record.pack(
            item_id=report_uuid(report),
            occurred_at=when(report),
            latitude=report["latitude"],
            longitude=report["longitude"],
            attributes=attributes[i],
            canonical_category=canonical[i]["canonical_category"],
            vector=match_record.quantize(embeddings[i]),
            descriptor=descriptor_or_none(records.get(report["id"])),
        )
        for i, report in enumerate(reports)
    ]
    return {
        "embeddings": embeddings,
        "attributes": attributes,
        "canonical": canonical,
        "photos": photos,
        "records": match_record.unpack(packed, embeddings.shape[1]),
    }


def report_uuid(report: dict[str, Any]) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"lostfound-research:{report['id']}")


def when(report: dict[str, Any]) -> datetime:
    return NOW - timedelta(days=report["days_ago"])


def candidates_for(
    reports: list[dict[str, Any]], enriched: dict[str, Any], q: int, variant: Variant
) -> np.ndarray:
    """The worker's candidate rule (rules.candidate_mask) over every report of the other kind:
    indices into `reports`."""
    mine = reports[q]
    other = np.array([r["kind"] != mine["kind"] for r in reports])
    keep = other & candidate_mask(
        enriched["records"][q],
        mine["kind"] == "lost",
        enriched["canonical"][q]["category_group"],
        when(mine),
        enriched["records"],
        days_after_loss=SETTINGS.match_days_after_loss,
        days_before_loss=SETTINGS.match_days_before_loss,
        max_distance_km=SETTINGS.max_distance_km,
        codes=category_codes(SETTINGS.taxonomy_file),
    )
    if variant.typed_category_filter:
        typed = (mine["category"] or "").lower()
        keep &= np.array(
            [not typed or not r["category"] or r["category"].lower() == typed for r in reports]
        )
    return np.flatnonzero(keep)


def ranked(
    reports: list[dict[str, Any]], enriched: dict[str, Any], q: int, variant: Variant
) -> tuple[list[int], list[float]]:
    """Candidates of lost report q, best first, with their totals (the worker's find_matches:
    first pass on match records, second pass on the shortlist)."""
    mine = reports[q]
    pool = candidates_for(reports, enriched, q, variant)
    if not len(pool):
        return [], []
    records = enriched["records"]
    codes = category_codes(SETTINGS.taxonomy_file)
    category = enriched["canonical"][q]["canonical_category"]
    query, table = first_pass(
        records[q], records[pool], codes.compatibility(category, records[pool]["category"])
    )
    if variant.float_embeddings:
        query = replace(query, embedding=enriched["embeddings"][q])
        table = replace(table, embeddings=enriched["embeddings"][pool])
    photos = enriched["photos"]
    mine_place = place_name(mine.get("place_name"), enriched["attributes"][q])

    def refine(chosen: np.ndarray) -> Refined:
        others = [reports[pool[j]] for j in chosen]
        details = detail_scores(
            detail_text(mine["title"], mine["description"]),
            [detail_text(r["title"], r["description"]) for r in others],
        )
        place = missing_as_nan(
            place_agreement(
                mine_place, place_name(r.get("place_name"), enriched["attributes"][pool[j]])
            )
            for j, r in zip(chosen, others, strict=True)
        )
        hints = table.photo_hint[chosen]
        image = hints.copy()
        with_photo = np.flatnonzero(~np.isnan(hints))
        checked = with_photo[np.argsort(-hints[with_photo], kind="stable")][: variant.photo_checks]
        for k in checked:
            image[k] = similarity(photos[mine["id"]], photos[others[k]["id"]])["score"]
        return Refined(details=details, image=image, place=place)

    chosen = shortlist(
        query, table, variant.weights, SCALES, variant.shortlist, variant.photo_shortlist
    )
    order, parts = finish(query, table, chosen, refine(chosen), variant.weights, SCALES)
    return [int(pool[j]) for j in order], [float(t) for t in parts["total"]]


def evaluate(
    reports: list[dict[str, Any]], enriched: dict[str, Any], variant: Variant
) -> dict[str, Any]:
    lost = [i for i, r in enumerate(reports) if r["kind"] == "lost"]
    ranks, runs = [], []
    for q in lost:
        order, totals = ranked(reports, enriched, q, variant)
        truth = [reports[i]["pair"] == reports[q]["pair"] for i in order]
        ranks.append(next((n for n, ok in enumerate(truth, 1) if ok), math.inf))
        runs.append((truth, totals))
    ranks_arr = np.array(ranks, dtype=float)
    return {
        "recall@1": float(np.mean(ranks_arr <= 1)),
        "recall@5": float(np.mean(ranks_arr <= 5)),
        "mrr": float(np.mean(1.0 / ranks_arr)),
        "runs": runs,
    }


def suggested(
    runs: list[tuple[list[bool], list[float]]],
    threshold: float,
    margin: float = SETTINGS.suggestion_margin,
) -> dict[str, float]:
    """What people would see: at most MAX_SUGGESTIONS per lost report, each above `threshold`
    and within `margin` of the best (the worker's rule)."""
    cap = SETTINGS.max_suggestions
    right = wrong = never = 0
    for truth, totals in runs:
        floor = max(threshold, (totals[0] - margin) if totals else 1.0)
        shown = [ok for ok, total in zip(truth[:cap], totals[:cap], strict=True) if total >= floor]
        right += sum(shown)
        wrong += len(shown) - sum(shown)
        never += not any(shown)
    return {
        "precision": right / max(right + wrong, 1),
        "recall": right / len(runs),
        "never": never,
        "unrelated": wrong / len(runs),
    }


def grid(reports: list[dict[str, Any]], enriched: dict[str, Any]) -> None:
    """The weightings and suggestion rules tried for the defaults, best first."""
    rows = []
    for text in (0.2, 0.3, 0.4):
        for details in (0.3, 0.45, 0.6, 0.8):
            for category in (0.1, 0.2):
                weights = replace(DEFAULTS, text=text, details=details, category=category)
                m = evaluate(reports, enriched, Variant(weights))
                for threshold in (0.45, 0.5, 0.55):
                    for margin in (0.05, 0.1, 0.2):
                        s = suggested(m["runs"], threshold, margin)
                        rows.append(
                            (
                                m["recall@1"],
                                s["recall"],
                                -s["unrelated"],
                                m["recall@5"],
                                text,
                                details,
                                category,
                                threshold,
                                margin,
                                s["precision"],
                            )
                        )
    rows.sort(reverse=True)
    print(
        "grid (recall@1, suggested recall, unrelated/lost, recall@5 | text, details, category,"
        " threshold, margin, precision):"
    )
    for row in rows[:25]:
        print("  " + "  ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row))


def explain(reports: list[dict[str, Any]], enriched: dict[str, Any]) -> None:
    """Every lost report whose true match is not first with the worker defaults, beside what
    came first."""
    for q, report in enumerate(reports):
        if report["kind"] != "lost":
            continue
        order, totals = ranked(reports, enriched, q, VARIANTS["worker defaults"])
        if order and reports[order[0]]["pair"] == report["pair"]:
            continue
        true = next((n for n, i in enumerate(order) if reports[i]["pair"] == report["pair"]), None)
        print(f"\nLOST {report['id']} [{report['category']}] {report['title']}:")
        print(f"  {report['description']}")
        for n in sorted({0, *([true] if true is not None else [])}):
            if n < len(order):
                other = reports[order[n]]
                print(f"  #{n + 1} {totals[n]:.3f} {other['id']} [{other['category']}]")
                print(f"    {other['description']}")
        if true is None:
            print("  true match: not a candidate")


def main() -> None:
    if "--explain" in sys.argv:
        reports = load("noisy")
        explain(reports, enrich(reports))
        return
    if "--grid" in sys.argv:
        reports = load("noisy")
        grid(reports, enrich(reports))
        return
    print(
        f"threshold {SETTINGS.match_threshold}, margin {SETTINGS.suggestion_margin} below the "
        f"best, at most {SETTINGS.max_suggestions} suggestions"
    )
    for name in ("noisy", "clean"):
        reports = load(name)
        started = time.perf_counter()
        enriched = enrich(reports)
        lost = sum(r["kind"] == "lost" for r in reports)
        print(
            f"\n{name}: {lost} lost reports, {len(reports) - lost} found (pairs, near-twins, "
            f"unrelated), {len(enriched['photos'])} photos; enriched in "
            f"{time.perf_counter() - started:.0f} s"
        )
        print(
            f"{'weights':<32}{'recall@1':>9}{'recall@5':>9}{'MRR':>7}"
            f"{'never':>7}{'unrelated/lost':>16}"
        )
        results = {}
        for variant_name, variant in VARIANTS.items():
            m = evaluate(reports, enriched, variant)
            results[variant_name] = m
            s = suggested(m["runs"], SETTINGS.match_threshold)
            print(
                f"{variant_name:<32}{m['recall@1']:>9.3f}{m['recall@5']:>9.3f}{m['mrr']:>7.3f}"
                f"{s['never']:>7d}{s['unrelated']:>16.2f}"
            )
        print(f"  worker defaults by threshold ({name}):")
        print(f"  {'threshold':>9}{'precision':>11}{'recall':>8}{'never':>7}{'unrelated/lost':>16}")
        for threshold in (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7):
            s = suggested(results["worker defaults"]["runs"], threshold)
            print(
                f"  {threshold:>9.2f}{s['precision']:>11.3f}{s['recall']:>8.3f}{s['never']:>7d}"
                f"{s['unrelated']:>16.2f}"
            )


if __name__ == "__main__":
    main()
