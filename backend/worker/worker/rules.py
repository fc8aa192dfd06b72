"""Matching rules that need no database: canonical values of a report, the time window, which
match records are its candidates, the place and the text that identify an object. The worker
applies them to stored items (SQL narrows first, for speed); research/experiments/matching
applies them to its data set, so both measure one set of rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from backend.common import match_record
from backend.common.geo import haversine_km
from backend.common.match_record import category_code
from backend.common.taxonomy import Taxonomy, taxonomy


def merged_attributes(
    extracted: Mapping[str, Sequence[str]],
    vocabulary: Taxonomy,
    *,
    colour: str | None,
    brand: str | None,
    category: str | None,
) -> dict[str, Any]:
    """Attributes the NLP found in the text plus what the reporter typed, as canonical values
    (typed first); a typed value the taxonomy does not know is kept lower-cased."""
    attributes: dict[str, Any] = {key: list(values) for key, values in extracted.items()}
    for label, key, typed in (
        ("COLOUR", "colours", colour),
        ("BRAND", "brands", brand),
        ("CATEGORY", "categories", category),
    ):
        given = vocabulary.canonical(label, typed)
        if not given and typed and typed.strip():
            given = [typed.strip().lower()]
        found = attributes.setdefault(key, [])
        attributes[key] = given + [value for value in found if value not in given]
    return attributes


def canonical_values(attributes: Mapping[str, Any], vocabulary: Taxonomy) -> dict[str, Any]:
    """The report's canonical category, its group and its colour (the first known of each)."""
    category = next((c for c in attributes.get("categories", []) if vocabulary.group(c)), None)
    colour = next(iter(attributes.get("colours", [])), None)
    return {
        "canonical_category": category,
        "category_group": vocabulary.group(category),
        "canonical_colour": colour,
    }


def time_window(
    lost: bool, occurred_at: datetime, days_after_loss: float, days_before_loss: float
) -> tuple[datetime, datetime]:
    """When the other side's report may have happened: a find normally follows the loss (up to
    `days_after_loss`), and may precede the reported loss date by `days_before_loss`."""
    after, before = timedelta(days=days_after_loss), timedelta(days=days_before_loss)
    if lost:
        return occurred_at - before, occurred_at + after
    return occurred_at - after, occurred_at + before


def same_group_possible(group: str | None, other: str | None) -> bool:
    """Reports of different category groups (a dog, a laptop) are never the same object."""
    return group is None or other is None or group == other


def place_name(typed: str | None, attributes: Mapping[str, Any] | None) -> str | None:
    """The place as the reporter named it, else the first place the NLP found in the text."""
    if typed and typed.strip():
        return typed
    places = (attributes or {}).get("places") or []
    return str(places[0]) if places else None


def detail_text(title: str, description: str | None) -> str:
    """The words that may identify one object among near-twins."""
    return f"{title}. {description or ''}"


class CategoryCodes:
    """The taxonomy's categories by their match-record code (match_record.category_code), for
    columns of candidates: their groups, and how compatible each is with one category."""

    def __init__(self, vocabulary: Taxonomy) -> None:
        self.vocabulary = vocabulary
        self.category = {category_code(c): c for c in vocabulary.categories}

    def _per_code(self, codes: np.ndarray, value: Any, dtype: Any) -> np.ndarray:
        unique, inverse = np.unique(codes, return_inverse=True)
        return np.array([value(self.category.get(int(c))) for c in unique], dtype=dtype)[inverse]

    def groups(self, codes: np.ndarray) -> np.ndarray:
        """Each code's category group, "" when unknown."""
        return self._per_code(codes, lambda c: self.vocabulary.group(c) or "", object)

    def compatibility(self, category: str | None, codes: np.ndarray) -> np.ndarray:
        """Taxonomy.category_compatibility of `category` with each code's; NaN when unknown."""

        def value(other: str | None) -> float:
            found = self.vocabulary.category_compatibility(category, other)
            return np.nan if found is None else found

        return self._per_code(codes, value, np.float64)


@cache
def category_codes(path: Path) -> CategoryCodes:
    return CategoryCodes(taxonomy(path))


def candidate_mask(
    record: np.void,
    lost: bool,
    group: str | None,
    occurred_at: datetime,
    records: np.ndarray,
    *,
    days_after_loss: float,
    days_before_loss: float,
    max_distance_km: float,
    codes: CategoryCodes,
) -> np.ndarray:
    """Which of `records` (match records of the other kind) are candidates of the report whose
    record is `record`: in its time window, within `max_distance_km` or of unknown place, not of
    another category group (same_group_possible), and not the report itself."""
    start, end = time_window(lost, occurred_at, days_after_loss, days_before_loss)
    days = records["occurred_days"]
    keep = (days >= match_record.days(start)) & (days <= match_record.days(end))
    keep &= records["id"] != record["id"]
    if not np.isnan(record["latitude"]):
        km = haversine_km(
            float(record["latitude"]),
            float(record["longitude"]),
            records["latitude"].astype(np.float64),
            records["longitude"].astype(np.float64),
        )
        keep &= np.isnan(km) | (km <= max_distance_km)
    if group is not None:
        groups = codes.groups(records["category"])
        keep &= (groups == "") | (groups == group)
    return np.asarray(keep)
