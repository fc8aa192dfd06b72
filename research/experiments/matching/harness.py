"""The labelled sets run through the worker's own matching code, in one process.

Real parts: the report text as the worker makes it (backend/worker/worker/rules.py: codes,
Dutch and misspellings rewritten by the taxonomy), MiniLM embeddings and spaCy entities (the
NLP service's code), the attributes, canonical values and journey flag the worker derives, each
report's match record (backend/common/match_record.py), OpenCV features and similarity (the
vision service's code), the candidate rule (rules.candidate_mask, with the groups a report may
reach) and both scoring passes (backend/worker/worker/scoring.py). Only the SQL that narrows
candidates before rules.candidate_mask is not run.

A set is a JSON file in the format of ../shared/data/matching/set-a.json: `pairs` of a `lost`
and its `found` report (and, in ours, the `noise` each carries), and `distractors` (other
finds; near-twins name the pair they are twins of). A report has kind, title, description,
category, colour, brand, place, lat/lon (null: not given), day (days after a base date) and
optionally a `photo` (seed, rgb, turned: a drawn object, see deployment/local/sample_data.py).
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from backend.common import match_record
from backend.common.claims import identifier_key
from backend.common.images import reencode_for_storage
from backend.common.photo_similarity import descriptor_or_none
from backend.nlp.server.models import Models
from backend.nlp.server.settings import NlpSettings
from backend.vision.server.decoding import decode_image
from backend.vision.server.features import extract_features, parse_record, similarity
from backend.worker.worker.details import place_agreement
from backend.worker.worker.rules import (
    CategoryCodes,
    attribute_terms,
    candidate_mask,
    canonical_values,
    category_codes,
    detail_text,
    details_of_held,
    held_colours,
    holdings,
    is_journey,
    merged_attributes,
    place_names,
    reachable_groups,
    report_text,
    unsure_group,
)
from backend.worker.worker.scoring import (
    Candidates,
    MatchModel,
    Probe,
    Refined,
    features,
    finish,
    first_pass,
    missing_as_nan,
    photos_to_check,
    shortlist,
    suggested,
)
from backend.worker.worker.settings import WorkerSettings
from deployment.local.sample_data import photo_png

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
SETTINGS = WorkerSettings()
SCALES = SETTINGS.scales()
BASE = datetime(2026, 9, 1, tzinfo=UTC)


@dataclass
class Report:
    id: str
    kind: str
    title: str
    description: str
    category: str | None
    colour: str | None
    brand: str | None
    place: str | None
    latitude: float | None
    longitude: float | None
    occurred_at: datetime
    photo: dict[str, Any] | None = None
    identifier: str | None = None

    @property
    def uuid(self) -> uuid.UUID:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"lostfound-research:{self.id}")


def drawn_photo(report: Report, index: int) -> bytes:
    """The PNG of a report's photo, as its set describes it (`seed`, `rgb`, `turned`); `index`,
    its place in the set, seeds the background."""
    photo = report.photo or {}
    return photo_png(photo["seed"], tuple(photo["rgb"]), photo["turned"], 7000 + index)


@dataclass
class Dataset:
    name: str
    reports: list[Report]
    truth: dict[int, int]  # lost report index -> its found report's index
    noise: dict[int, str]  # lost report index -> the kind of noise of its pair


def _report(rid: str, raw: dict[str, Any]) -> Report:
    def text(key: str) -> str | None:
        value = raw.get(key)
        return str(value).strip() or None if value is not None else None

    day = raw.get("day")
    when = BASE + timedelta(days=float(day)) if day is not None else BASE
    if "days_ago" in raw:  # the older noisy set's format
        when = BASE - timedelta(days=float(raw["days_ago"]))
    return Report(
        id=rid,
        kind=raw["kind"],
        title=raw["title"],
        description=raw.get("description") or "",
        category=text("category"),
        colour=text("colour"),
        brand=text("brand"),
        place=text("place") or text("place_name"),
        latitude=raw.get("lat", raw.get("latitude")),
        longitude=raw.get("lon", raw.get("longitude")),
        occurred_at=when,
        photo=raw.get("photo"),
        identifier=text("identifier"),
    )


def load_set(name: str, path: Path | None = None) -> Dataset:
    """A set by name (data/<name>.json, or data/<name>.jsonl in the older format) or path."""
    path = path or DATA / f"{name}.json"
    if not path.exists() and (DATA / f"{name}.jsonl").exists():
        return _load_jsonl(name, DATA / f"{name}.jsonl")
    data = json.loads(path.read_text())
    reports: list[Report] = []
    truth: dict[int, int] = {}
    noise: dict[int, str] = {}
    for n, pair in enumerate(data["pairs"]):
        reports.append(_report(f"p{n}-lost", pair["lost"]))
        reports.append(_report(f"p{n}-found", pair["found"]))
        truth[len(reports) - 2] = len(reports) - 1
        noise[len(reports) - 2] = pair.get("noise", "")
    for n, other in enumerate(data["distractors"]):
        reports.append(_report(f"d{n}", other))
    return Dataset(name, reports, truth, noise)


def _load_jsonl(name: str, path: Path) -> Dataset:
    raw = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    reports = [_report(r["id"], r) for r in raw]
    by_pair = {(r["pair"], r["kind"]): i for i, r in enumerate(raw) if r.get("pair")}
    truth = {
        i: by_pair[(r["pair"], "found")]
        for i, r in enumerate(raw)
        if r["kind"] == "lost" and r.get("pair") and (r["pair"], "found") in by_pair
    }
    return Dataset(name, reports, truth, dict.fromkeys(truth, "noisy"))


@dataclass
class Enriched:
    """Every report as the worker stores it after enrichment."""

    texts: list[str]
    attributes: list[dict[str, Any]]
    canonical: list[dict[str, Any]]
    records: np.ndarray
    photos: dict[int, Any] = field(default_factory=dict)


_MODELS: list[Models] = []


def models() -> Models:
    if not _MODELS:
        loaded = Models(NlpSettings())
        loaded.start_loading()
        assert loaded.wait_loaded(600) and loaded.ready, (
            loaded.embedding.error,
            loaded.ner.error,
        )
        _MODELS.append(loaded)
    return _MODELS[0]


def enrich(dataset: Dataset) -> Enriched:
    """What the worker's enrichment stores for every report (backend/worker/worker/enrichment)."""
    vocabulary = category_codes(SETTINGS.taxonomy_file).vocabulary
    nlp = models()
    reports = dataset.reports
    texts = [
        report_text(r.title, r.description, r.colour, r.brand, r.category, vocabulary)
        for r in reports
    ]
    vectors = np.vstack(
        [nlp.submit_embedding(texts[i : i + 64]).result() for i in range(0, len(texts), 64)]
    )
    attributes, canonical, unsure = [], [], []
    for report, text, found in zip(reports, texts, nlp.entities(texts), strict=True):
        merged = merged_attributes(
            found["attributes"],
            vocabulary,
            colour=report.colour,
            brand=report.brand,
            category=report.category,
            text=text,
            place=report.place,
        )
        attributes.append(merged)
        unsure.append(unsure_group(merged, report.category, vocabulary))
        canonical.append(canonical_values(merged, vocabulary, unsure=unsure[-1]))
    photos: dict[int, Any] = {}
    feature_records: dict[int, Any] = {}
    for index, report in enumerate(reports):
        if report.photo:
            # As the API stores every upload (a JPEG): the drawn PNG itself gave noisy's
            # near-twins other keypoint scores, 0.944 at 1 against the stack's 0.911.
            stored = reencode_for_storage(drawn_photo(report, index), max_pixels=10**8).data
            rgb, size = decode_image(
                stored, max_bytes=10**8, max_pixels=10**8, max_decoded_pixels=10**8, work_size=640
            )
            feature_records[index] = extract_features(rgb, size, 500)
            photos[index] = parse_record(feature_records[index])
    packed = [
        match_record.pack(
            item_id=report.uuid,
            occurred_at=report.occurred_at,
            latitude=report.latitude,
            longitude=report.longitude,
            attributes=attributes[i],
            canonical_category=canonical[i]["canonical_category"],
            vector=match_record.quantize(vectors[i]),
            descriptor=descriptor_or_none(feature_records.get(i)),
            identifier_key=identifier_key(report.identifier),
            journey=is_journey(texts[i]),
            unsure_group=unsure[i],
        )
        for i, report in enumerate(reports)
    ]
    return Enriched(texts, attributes, canonical, match_record.unpack(packed, 384), photos)


@dataclass
class Ranking:
    """One lost report's candidates, shortlisted and scored by the final model, best first
    (indices into the set's reports), with their features."""

    order: list[int]
    parts: dict[str, np.ndarray]
    candidates: np.ndarray  # every candidate (indices)
    first: dict[str, np.ndarray]  # first-pass features of every candidate


def candidates_of(dataset: Dataset, enriched: Enriched, q: int, codes: CategoryCodes) -> np.ndarray:
    mine = dataset.reports[q]
    other = np.array([r.kind != mine.kind for r in dataset.reports])
    vocabulary = codes.vocabulary
    groups = reachable_groups(
        vocabulary.group(enriched.canonical[q]["canonical_category"]),
        enriched.attributes[q].get("categories", []),
        vocabulary,
    )
    keep = other & candidate_mask(
        enriched.records[q],
        mine.kind == "lost",
        groups,
        mine.occurred_at,
        enriched.records,
        days_after_loss=SETTINGS.match_days_after_loss,
        days_before_loss=SETTINGS.match_days_before_loss,
        max_distance_km=SETTINGS.max_distance_km,
        codes=codes,
    )
    return np.flatnonzero(keep)


def refine(
    dataset: Dataset,
    enriched: Enriched,
    q: int,
    pool: np.ndarray,
    table: Candidates,
    chosen: np.ndarray,
) -> Refined:
    """The worker's second pass (matching._second_pass) for the shortlisted candidates."""
    vocabulary = category_codes(SETTINGS.taxonomy_file).vocabulary
    mine = dataset.reports[q]
    others = [int(pool[j]) for j in chosen]
    texts = [
        detail_text(dataset.reports[i].title, dataset.reports[i].description, vocabulary)
        for i in others
    ]
    own = detail_text(mine.title, mine.description, vocabulary)
    journey = bool(int(enriched.records[q]["flags"]) & match_record.JOURNEY)
    places = place_names(mine.place, enriched.attributes[q], own if journey else "")
    place = missing_as_nan(
        place_agreement(
            places,
            place_names(dataset.reports[i].place, enriched.attributes[i], text if trip else ""),
        )
        for i, text, trip in zip(others, texts, table.journey[chosen], strict=True)
    )
    hints = table.photo_hint[chosen]
    image = hints.copy()
    for k in photos_to_check(hints, SETTINGS.photo_checks):
        image[k] = similarity(enriched.photos[q], enriched.photos[others[k]])["score"]
    codes = category_codes(SETTINGS.taxonomy_file)
    categories = (
        codes.named([enriched.records[q]["category"]])[0],
        codes.named(enriched.records["category"][others]),
    )
    held = holdings(own, texts, categories, table.contents[chosen] == 1, vocabulary)
    details = details_of_held(own, texts, attribute_terms(enriched.attributes[q], vocabulary), held)
    colours, holder = held_colours(held, vocabulary)
    return Refined(details, image, place, held_colours=colours, holder_is_probe=holder)


def rank(
    dataset: Dataset,
    enriched: Enriched,
    q: int,
    model: MatchModel,
    *,
    shortlist_size: int = SETTINGS.shortlist,
    chosen_for: Callable[[Probe, Candidates], np.ndarray] | None = None,
) -> Ranking:
    """The worker's find_matches for lost report q."""
    codes = category_codes(SETTINGS.taxonomy_file)
    pool = candidates_of(dataset, enriched, q, codes)
    empty = Ranking([], {}, pool, {})
    if not len(pool):
        return empty
    records = enriched.records
    probe, table = first_pass(
        records[q], records[pool], codes.compatibility(records[q], records[pool]), codes
    )
    first = features(probe, table, SCALES)
    if chosen_for is not None:
        chosen = chosen_for(probe, table)
    else:
        chosen = shortlist(probe, table, model, SCALES, shortlist_size, SETTINGS.photo_shortlist)
    refined = refine(dataset, enriched, q, pool, table, chosen)
    order, parts = finish(probe, table, chosen, refined, model, SCALES)
    return Ranking([int(pool[j]) for j in chosen[order]], parts, pool, first)


@dataclass
class Scores:
    recall1: float
    recall5: float
    mrr: float
    wrong_per_lost: float
    never: int
    lost: int
    by_noise: dict[str, tuple[float, float, int]]  # noise -> (recall@1, recall@5, pairs)
    ranked1: float  # the truth first / among the first five of the ranking, shown or not
    ranked5: float
    misses: list[tuple[int, str, int | None]]  # (lost index, noise, rank of the truth or None)


def score_set(dataset: Dataset, enriched: Enriched, model: MatchModel) -> Scores:
    """recall@k counts the true found report among the first k *suggestions* (what a person
    sees: above the threshold, within the margin, at most MAX_SUGGESTIONS), as run_stack.py
    measures the running stack."""
    ranks: list[float] = []
    full_ranks: list[float] = []
    wrong = never = 0
    noise_ranks: dict[str, list[float]] = {}
    misses = []
    for q, truth in dataset.truth.items():
        ranking = rank(dataset, enriched, q, model)
        shown = ranking.order[
            : suggested(ranking.parts.get("total", np.zeros(0)), model, SETTINGS.max_suggestions)
        ]
        position = next((n for n, i in enumerate(shown, 1) if i == truth), math.inf)
        wrong += sum(i != truth for i in shown)
        never += position == math.inf
        ranks.append(position)
        kind = dataset.noise.get(q, "")
        noise_ranks.setdefault(kind, []).append(position)
        full = next((n for n, i in enumerate(ranking.order, 1) if i == truth), None)
        full_ranks.append(full or math.inf)
        if position != 1:
            misses.append((q, kind, full))
    r = np.array(ranks, dtype=float)
    return Scores(
        recall1=float(np.mean(r <= 1)),
        recall5=float(np.mean(r <= 5)),
        mrr=float(np.mean(1.0 / r)),
        wrong_per_lost=wrong / len(r),
        never=never,
        lost=len(r),
        by_noise={
            kind: (
                float(np.mean(np.array(v) <= 1)),
                float(np.mean(np.array(v) <= 5)),
                len(v),
            )
            for kind, v in sorted(noise_ranks.items())
        },
        misses=misses,
        ranked1=float(np.mean(np.array(full_ranks) <= 1)),
        ranked5=float(np.mean(np.array(full_ranks) <= 5)),
    )
