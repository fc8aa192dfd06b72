"""The match record: what goes in comes out, compactly, and cosines survive int8."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import numpy as np
import pytest

from backend.common import match_record
from backend.common.match_record import attribute_mask, attribute_masks, category_code

WHEN = datetime(2026, 11, 3, 14, 30, tzinfo=UTC)


def unit(rng: np.random.Generator, dim: int = 384) -> np.ndarray:
    vector = rng.standard_normal(dim).astype(np.float32)
    return vector / np.linalg.norm(vector)


def packed(vector: np.ndarray, **overrides: object) -> bytes:
    fields: dict[str, object] = {
        "item_id": uuid.UUID(int=7),
        "occurred_at": WHEN,
        "latitude": 52.37,
        "longitude": 4.89,
        "attributes": {"colours": ["black"], "brands": ["fossil"]},
        "canonical_category": "wallet",
        "vector": match_record.quantize(vector),
        "descriptor": (0xFEEDFACE12345678, bytes(range(64))),
    }
    fields.update(overrides)
    return match_record.pack(**fields)  # type: ignore[arg-type]


def test_what_goes_in_comes_out() -> None:
    vector = unit(np.random.default_rng(1))
    [record] = match_record.unpack([packed(vector)], 384)

    assert match_record.ids(np.array([record])) == [uuid.UUID(int=7)]
    assert record["occurred_days"] == pytest.approx(WHEN.timestamp() / 86400)
    assert (record["latitude"], record["longitude"]) == pytest.approx((52.37, 4.89))
    assert (int(record["colours"]), int(record["brands"])) == attribute_masks(
        {"colours": ["black"], "brands": ["fossil"]}
    )
    assert record["category"] == category_code("wallet") != 0
    assert record["photo"] == 1 and int(record["phash"]) == 0xFEEDFACE12345678
    assert bytes(record["colour"]) == bytes(range(64))


def test_unknown_place_category_and_photo_stay_unknown() -> None:
    blob = packed(
        unit(np.random.default_rng(2)),
        latitude=None,
        longitude=None,
        canonical_category=None,
        descriptor=None,
        attributes=None,
    )
    [record] = match_record.unpack([blob], 384)

    assert np.isnan(record["latitude"]) and np.isnan(record["longitude"])
    assert record["category"] == 0 and record["photo"] == 0
    assert record["colours"] == 0 and record["brands"] == 0


def test_int8_keeps_cosines_within_a_hundredth_at_a_quarter_of_the_bytes() -> None:
    rng = np.random.default_rng(3)
    vectors = np.stack([unit(rng) for _ in range(200)])
    # Pairs from unrelated to near-duplicate.
    others = vectors * 0.3 + np.stack([unit(rng) for _ in range(200)])
    others /= np.linalg.norm(others, axis=1, keepdims=True)
    exact = np.sum(vectors * others, axis=1)
    quantised = np.sum(
        match_record.unit_vectors(np.stack([match_record.quantize(v) for v in vectors]))
        * match_record.unit_vectors(np.stack([match_record.quantize(v) for v in others])),
        axis=1,
    )

    assert np.max(np.abs(quantised - exact)) < 0.01
    assert len(packed(vectors[0])) < 384 * 4 / 2  # the whole record: under half of float32 alone


def test_records_of_another_layout_are_left_out() -> None:
    rng = np.random.default_rng(4)
    mine, other_model = packed(unit(rng)), packed(unit(rng, dim=768))
    records = match_record.unpack([mine, other_model, b"", mine], 384)

    assert len(records) == 2
    assert match_record.dim_of(other_model) == 768


def test_attribute_mask_ignores_case_and_space() -> None:
    assert attribute_mask([" Black"]) == attribute_mask(["black"]) != 0
    assert attribute_mask([]) == 0


def test_records_written_before_this_version_are_still_read() -> None:
    """Version 1 records (stored before mentions, identifiers and journeys) stay candidates
    until re-enrichment rewrites them: their new fields read as empty."""
    rng = np.random.default_rng(5)
    current = match_record.unpack([packed(unit(rng))], 384)[0]
    old = np.zeros(1, match_record.record_dtype(384, 1))
    for name in old.dtype.names:
        old[0][name] = current[name]
    old[0]["version"] = 1

    records = match_record.unpack([old.tobytes(), packed(unit(rng), journey=True)], 384)

    assert len(records) == 2
    assert records[0]["flags"] == records[0]["ident"] == records[0]["mentions"] == 0
    assert records[0]["colours"] == current["colours"] and records[0]["latitude"] == np.float32(
        52.37
    )
    assert np.array_equal(records[0]["vector"], current["vector"])
    assert records[1]["flags"] & match_record.JOURNEY
