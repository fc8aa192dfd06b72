"""Matching rules that need no database: canonical values of a report, the time window, the
place and the text that identify an object. The worker applies them to stored items (SQL does
the same filtering for speed); research/experiments/matching applies them to its data set, so
both measure one set of rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from backend.common.taxonomy import Taxonomy


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
