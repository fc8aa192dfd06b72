"""Match scores, computed for one item against all its candidates at once (numpy, no loops).

Each component is in [0, 1]; a component that one side lacks (no photo, no place) is left out
and the weights of the others are renormalised, so a report without a photo is not punished.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

ATTRIBUTE_KEYS = ("colours", "brands", "categories")
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Weights:
    text: float
    image: float
    attributes: float
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


def attribute_masks(attributes: Mapping[str, Iterable[str]] | None) -> tuple[int, int, int]:
    attributes = attributes or {}
    colours, brands, categories = (
        attribute_mask(attributes.get(key, ())) for key in ATTRIBUTE_KEYS
    )
    return colours, brands, categories


@dataclass(frozen=True)
class Candidates:
    """Column arrays of n candidates; NaN marks a missing value."""

    embeddings: np.ndarray  # (n, dim) float32, L2-normalised
    masks: np.ndarray  # (n, 3) int64 attribute masks (colours, brands, categories)
    latitude: np.ndarray  # (n,) float64
    longitude: np.ndarray  # (n,)
    occurred_days: np.ndarray  # (n,) days since the epoch
    image: np.ndarray  # (n,) image similarity to the item, NaN without photos


@dataclass(frozen=True)
class Query:
    embedding: np.ndarray  # (dim,)
    masks: tuple[int, int, int]
    latitude: float | None
    longitude: float | None
    occurred_days: float


def haversine_km(lat1: float, lon1: float, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def score(
    query: Query, candidates: Candidates, weights: Weights, scales: Scales
) -> dict[str, np.ndarray]:
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

    time = np.exp(-np.abs(candidates.occurred_days - query.occurred_days) / scales.time_days)

    components = {
        "text": text,
        "image": candidates.image,
        "attributes": attributes,
        "distance": distance,
        "time": time,
    }
    weight = {
        "text": weights.text,
        "image": weights.image,
        "attributes": weights.attributes,
        "distance": weights.distance,
        "time": weights.time,
    }
    numerator = np.zeros(n)
    denominator = np.zeros(n)
    for name, values in components.items():
        present = ~np.isnan(values)
        numerator += np.where(present, values, 0.0) * weight[name]
        denominator += present * weight[name]
    components["total"] = np.where(denominator > 0, numerator / np.maximum(denominator, 1e-9), 0.0)
    return components
