"""Match scores, computed for one item against all its candidates at once (numpy, no loops).

Each component is in [0, 1]; a component that one side lacks (no photo, no place) is left out
and the weights of the others are renormalised, so a report without a photo is not punished.
`details` (shared rare words: an engraving, a sticker) is computed for the best few candidates
only, by `detail_scores`, and re-scores them.
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from backend.common.geo import haversine_km

# Categories are a component of their own (compatibility through the taxonomy), not a mask.
ATTRIBUTE_KEYS = ("colours", "brands")


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


def attribute_mask(values: Iterable[str]) -> int:
    """A 63-bit set of canonical values (CRC32 buckets: rare collisions only over-match)."""
    mask = 0
    for value in values:
        mask |= 1 << (zlib.crc32(value.strip().lower().encode()) % 63)
    return mask


def attribute_masks(attributes: Mapping[str, Iterable[str]] | None) -> tuple[int, int]:
    attributes = attributes or {}
    colours, brands = (attribute_mask(attributes.get(key, ())) for key in ATTRIBUTE_KEYS)
    return colours, brands


@dataclass(frozen=True)
class Candidates:
    """Column arrays of n candidates; NaN marks a missing value. The last three are already
    relative to the item being matched."""

    embeddings: np.ndarray  # (n, dim) float32, L2-normalised
    masks: np.ndarray  # (n, 2) int64 attribute masks (colours, brands)
    latitude: np.ndarray  # (n,) float64
    longitude: np.ndarray  # (n,)
    occurred_days: np.ndarray  # (n,) days since the epoch
    image: np.ndarray  # (n,) image similarity to the item, NaN without photos
    category: np.ndarray  # (n,) category compatibility with the item, NaN if either is unknown
    place: np.ndarray  # (n,) place-name agreement, used where either side has no coordinates


@dataclass(frozen=True)
class Query:
    embedding: np.ndarray  # (dim,)
    masks: tuple[int, int]
    latitude: float | None
    longitude: float | None
    occurred_days: float


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


def rank(
    query: Query,
    candidates: Candidates,
    weights: Weights,
    scales: Scales,
    query_text: str,
    candidate_text: Callable[[int], str],
    detail_candidates: int,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The best `detail_candidates` candidates, best first, and every component: all are scored,
    then the best few again with their identifying details (`detail_scores`; the text of
    candidate i is asked for only for those few)."""
    parts = score(query, candidates, weights, scales)
    best = np.argsort(-parts["total"], kind="stable")[:detail_candidates]
    details = np.full(len(candidates.occurred_days), np.nan)
    details[best] = detail_scores(query_text, [candidate_text(int(i)) for i in best])
    parts = score(query, candidates, weights, scales, details)
    return best[np.argsort(-parts["total"][best], kind="stable")], parts


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
