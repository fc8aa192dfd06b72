"""Match scores, computed for one item against all its candidates at once (numpy, no loops).

Each component is in [0, 1]; a component that one side lacks (no photo, no place) is left out
and the weights of the others are renormalised, so a report without a photo is not punished.

Scoring is in two passes. The first (`shortlist`) reads only what every candidate's match
record holds (text, colour and brand, category, distance, time) and keeps a shortlist: the best
by that score, and the best by the photo descriptor. The second (`finish`) adds, for the
shortlist only, what costs more: identifying details (shared rare words: an engraving, a
sticker), the place names where coordinates are missing, and vision's check of the photos.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace

import numpy as np

from backend.common import match_record
from backend.common.geo import haversine_km
from backend.common.photo_similarity import descriptor_scores


@dataclass(frozen=True)
class Weights:
    text: float
    image: float
    attributes: float
    category: float
    details: float
    distance: float
    time: float


@dataclass(frozen=True)
class Scales:
    distance_km: float
    time_days: float


@dataclass(frozen=True)
class Candidates:
    """Column arrays of n candidates; NaN marks a missing value. The last four are already
    relative to the item being matched; `image` and `place` are filled in for the shortlist
    (NaN before), `photo_hint` is known for all."""

    embeddings: np.ndarray  # (n, dim) float32, L2-normalised
    masks: np.ndarray  # (n, 2) int64 attribute masks (colours, brands)
    latitude: np.ndarray  # (n,) float64
    longitude: np.ndarray  # (n,)
    occurred_days: np.ndarray  # (n,) days since the epoch
    category: np.ndarray  # (n,) category compatibility with the item, NaN if either is unknown
    photo_hint: np.ndarray  # (n,) photo descriptor score, NaN unless both sides have a photo
    image: np.ndarray  # (n,) the photo component, NaN without photos (or not yet checked)
    place: np.ndarray  # (n,) place-name agreement, used where either side has no coordinates

    def subset(self, rows: np.ndarray) -> Candidates:
        return Candidates(**{f.name: getattr(self, f.name)[rows] for f in fields(self)})


@dataclass(frozen=True)
class Refined:
    """What the second pass learnt about shortlisted candidates (NaN: not known)."""

    details: np.ndarray
    image: np.ndarray
    place: np.ndarray


@dataclass(frozen=True)
class Query:
    embedding: np.ndarray  # (dim,)
    masks: tuple[int, int]
    latitude: float | None
    longitude: float | None
    occurred_days: float


def first_pass(
    record: np.void,
    records: np.ndarray,
    category: np.ndarray,
    embeddings: np.ndarray | None = None,
) -> tuple[Query, Candidates]:
    """A report and its candidates as scoring reads them, from match records alone;
    `category` is each candidate's category compatibility with the report, `embeddings` the
    records' unit vectors when the caller has them already (one batch, many reports)."""
    n = len(records)
    hint = np.full(n, np.nan)
    if record["photo"]:
        with_photo = records["photo"] == 1
        hint[with_photo] = descriptor_scores(
            int(record["phash"]),
            record["colour"],
            records["phash"][with_photo],
            records["colour"][with_photo],
        )
    located = not np.isnan(record["latitude"])
    query = Query(
        embedding=match_record.unit_vectors(record["vector"]),
        masks=(int(record["colours"]), int(record["brands"])),
        latitude=float(record["latitude"]) if located else None,
        longitude=float(record["longitude"]) if located else None,
        occurred_days=float(record["occurred_days"]),
    )
    candidates = Candidates(
        embeddings=(
            match_record.unit_vectors(records["vector"]) if embeddings is None else embeddings
        ),
        masks=np.stack([records["colours"], records["brands"]], axis=1).astype(np.int64),
        latitude=records["latitude"].astype(np.float64),
        longitude=records["longitude"].astype(np.float64),
        occurred_days=records["occurred_days"],
        category=category,
        photo_hint=hint,
        image=np.full(n, np.nan),
        place=np.full(n, np.nan),
    )
    return query, candidates


def missing_as_nan(values: Iterable[float | None]) -> np.ndarray:
    """A column of candidates' values; None (not known) becomes NaN, which score() leaves out."""
    return np.array([np.nan if value is None else value for value in values], dtype=np.float64)


def score(
    query: Query,
    candidates: Candidates,
    weights: Weights,
    scales: Scales,
    details: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Every component and the weighted `total`; `details` from `detail_scores` (NaN or None
    where not computed)."""
    n = len(candidates.occurred_days)
    # MiniLM cosines of unrelated reports sit around 0.1-0.2: map [0.15, 0.85] onto [0, 1].
    cosine = candidates.embeddings @ query.embedding
    text = np.clip((cosine - 0.15) / 0.7, 0.0, 1.0)

    # Attributes: per key where both sides say something, 1 if they share a value, else 0.
    agree = np.zeros(n)
    compared = np.zeros(n)
    for column, mine in enumerate(query.masks):
        if not mine:
            continue
        theirs = candidates.masks[:, column]
        known = theirs != 0
        compared += known
        agree += known & ((theirs & mine) != 0)
    attributes = np.where(compared > 0, agree / np.maximum(compared, 1), np.nan)

    if query.latitude is None or query.longitude is None:
        distance = np.full(n, np.nan)
    else:
        km = haversine_km(
            query.latitude, query.longitude, candidates.latitude, candidates.longitude
        )
        distance = np.exp(-km / scales.distance_km)  # NaN where the candidate has no place
    # No coordinates on one side: the place names, when both gave one, stand in.
    distance = np.where(np.isnan(distance), candidates.place, distance)

    time = np.exp(-np.abs(candidates.occurred_days - query.occurred_days) / scales.time_days)

    components = {
        "text": text,
        "image": candidates.image,
        "attributes": attributes,
        "category": candidates.category,
        "details": np.full(n, np.nan) if details is None else details,
        "distance": distance,
        "time": time,
    }
    weight = {
        "text": weights.text,
        "image": weights.image,
        "attributes": weights.attributes,
        "category": weights.category,
        "details": weights.details,
        "distance": weights.distance,
        "time": weights.time,
    }
    numerator = np.zeros(n)
    denominator = np.zeros(n)
    for name, values in components.items():
        present = ~np.isnan(values)
        numerator += np.where(present, values, 0.0) * weight[name]
        denominator += present * weight[name]
    total = np.where(denominator > 0, numerator / np.maximum(denominator, 1e-9), 0.0)
    components["total"] = np.clip(total, 0.0, 1.0)  # float32 cosines may exceed 1 by rounding
    return components


def shortlist(
    query: Query,
    candidates: Candidates,
    weights: Weights,
    scales: Scales,
    size: int,
    photo_size: int,
) -> np.ndarray:
    """The first pass: indices of the best `size` candidates by what their records hold, and of
    the best `photo_size` by photo descriptor (a photo twin with a poor text is still checked)."""
    first = score(query, candidates, weights, scales)
    by_score = np.argsort(-first["total"], kind="stable")[:size]
    with_photo = np.flatnonzero(~np.isnan(candidates.photo_hint))
    by_photo = with_photo[np.argsort(-candidates.photo_hint[with_photo], kind="stable")]
    return np.unique(np.concatenate([by_score, by_photo[:photo_size]]))


def finish(
    query: Query,
    candidates: Candidates,
    chosen: np.ndarray,
    refined: Refined,
    weights: Weights,
    scales: Scales,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The second pass: the shortlisted candidates, best first (their indices), and their
    components in that order, with what `refined` learnt about them."""
    pool = replace(candidates.subset(chosen), image=refined.image, place=refined.place)
    parts = score(query, pool, weights, scales, refined.details)
    order = np.argsort(-parts["total"], kind="stable")
    return chosen[order], {name: values[order] for name, values in parts.items()}


# -- identifying details: shared rare words -------------------------------------------------

_TOKEN = re.compile(r"[a-z0-9]+")
STOP_WORDS = frozenset(
    """a am an and are as at be been but by do for from go had has have he her his i if in is it
    its me my no of on or our she so that the their there them they this to up us was we were
    what when where which who with you your lost found left near around somewhere someone
    picked dropped last seen missing please contact thanks one some little small big very""".split()
)


MIN_DETAIL_POOL = 3


def _stem(word: str) -> str:
    for suffix in ("ings", "ing", "ed", "es", "s", "er", "ly"):
        if len(word) - len(suffix) >= 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def detail_terms(text: str) -> set[str]:
    """Stemmed content words; runs of single letters are read as initials ("J.K." -> "jk")."""
    terms: set[str] = set()
    initials = ""
    for token in [*_TOKEN.findall(text.lower()), ""]:
        if len(token) == 1 and token.isalpha():
            initials += token
            continue
        if len(initials) >= 2:
            terms.add(initials)
        initials = ""
        if token and token not in STOP_WORDS and len(token) > 1:
            terms.add(_stem(token))
    return terms


def detail_scores(query_text: str, candidate_texts: Sequence[str]) -> np.ndarray:
    """How much of what is rare among these reports the query shares with each candidate.

    Weights are inverse document frequencies over the query and these candidates (the best few
    for it): words all of them share ("black", "wallet", the place) weigh little, and what tells
    near-twins apart ("engraved", "sticker", initials) weighs most. A cosine of idf-weighted
    word sets; NaN when the query has no content word, or when there are too few candidates to
    tell what is rare (then there are no near-twins to tell apart either).
    """
    query = detail_terms(query_text)
    documents = [detail_terms(text) for text in candidate_texts]
    if not query or len(documents) < MIN_DETAIL_POOL:
        return np.full(len(documents), np.nan)
    frequency = Counter(term for document in [query, *documents] for term in document)
    total = len(documents) + 1

    def idf(term: str) -> float:
        return math.log((total + 1) / (frequency[term] + 0.5))

    query_norm = math.sqrt(sum(idf(t) ** 2 for t in query))
    scores = np.zeros(len(documents))
    for index, document in enumerate(documents):
        norm = math.sqrt(sum(idf(t) ** 2 for t in document))
        if norm and query_norm:
            scores[index] = sum(idf(t) ** 2 for t in query & document) / (query_norm * norm)
    return scores


PLACE_STOP_WORDS = frozenset({"the", "a", "an", "at", "in", "on", "near", "by", "of", "to"})


def place_agreement(a: str | None, b: str | None) -> float | None:
    """Two place names as reporters typed them: 0.5-1 as their words overlap, None (unknown)
    when either is missing or they share no word: people name one place in many ways
    ("Amsterdam Centraal", "the central station"), so different names prove nothing."""
    if not a or not b:
        return None
    words_a = set(_TOKEN.findall(a.lower())) - PLACE_STOP_WORDS
    words_b = set(_TOKEN.findall(b.lower())) - PLACE_STOP_WORDS
    shared = words_a & words_b
    if not shared:
        return None
    return 0.5 + 0.5 * len(shared) / len(words_a | words_b)
