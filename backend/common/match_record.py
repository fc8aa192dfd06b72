"""The match record: what candidate retrieval reads of an item, as one fixed-layout bytes value.

Matching one new report reads every open report of the other kind in its time window and
place: thousands of rows in a table of a million. As ORM objects that took seconds; one bytes
column read straight from a covering index (models/item.py, `ix_item_match`) takes
milliseconds. The record holds what the first scoring pass needs: the text embedding quantised
to int8 (384 bytes, a quarter of float32), colour and brand masks, the category, the place, the
time and the photo's compact descriptor (backend/common/photo_similarity.py). What a person
reads (title, description, photo) stays in the row, for the shortlist only.

Written by the worker at enrichment, read by the worker at matching; the migration that
introduced it builds records from the columns it replaced.
"""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from functools import cache

import numpy as np

from backend.common.clock import in_utc
from backend.common.photo_similarity import DESCRIPTOR_COLOUR_BYTES

VERSION = 1
ATTRIBUTE_KEYS = ("colours", "brands")


@cache
def record_dtype(dim: int) -> np.dtype:
    """The record's layout for embeddings of `dim` dimensions (little-endian, packed)."""
    return np.dtype(
        [
            ("version", "u1"),
            ("dim", "<u2"),
            ("id", "V16"),
            ("occurred_days", "<f8"),  # days since the epoch
            ("latitude", "<f4"),  # NaN: no coordinates
            ("longitude", "<f4"),
            ("colours", "<u8"),  # attribute masks (attribute_mask)
            ("brands", "<u8"),
            ("category", "<u4"),  # category_code; 0: unknown
            ("photo", "u1"),  # 1: phash and colour hold a photo's descriptor
            ("phash", "<u8"),
            ("colour", "u1", (DESCRIPTOR_COLOUR_BYTES,)),
            ("vector", "i1", (dim,)),  # quantize(embedding)
        ]
    )


def attribute_mask(values: Iterable[str]) -> int:
    """A 63-bit set of canonical values (CRC32 buckets: rare collisions only over-match)."""
    mask = 0
    for value in values:
        mask |= 1 << (zlib.crc32(value.strip().lower().encode()) % 63)
    return mask


def attribute_masks(attributes: Mapping[str, Iterable[str]] | None) -> tuple[int, int]:
    """(colours, brands) masks of an item's canonical attributes."""
    attributes = attributes or {}
    colours, brands = (attribute_mask(attributes.get(key, ())) for key in ATTRIBUTE_KEYS)
    return colours, brands


def category_code(category: str | None) -> int:
    """A canonical category as a number (0: unknown); the taxonomy maps numbers back."""
    return (zlib.crc32(category.encode()) or 1) if category else 0


def quantize(embedding: Sequence[float] | np.ndarray) -> np.ndarray:
    """An embedding as int8 with its largest component at +-127: cosines move by ~0.002."""
    vector = np.asarray(embedding, dtype=np.float32)
    peak = float(np.abs(vector).max()) if vector.size else 0.0
    scale = 127.0 / peak if peak > 0 else 0.0
    return np.clip(np.round(vector * scale), -127, 127).astype(np.int8)


def days(moment: datetime) -> float:
    return in_utc(moment).timestamp() / 86400.0


def pack(
    *,
    item_id: uuid.UUID,
    occurred_at: datetime,
    latitude: float | None,
    longitude: float | None,
    attributes: Mapping[str, Iterable[str]] | None,
    canonical_category: str | None,
    vector: np.ndarray,
    descriptor: tuple[int, bytes] | None,
) -> bytes:
    """One item's record; `vector` is quantize()d, `descriptor` from photo_similarity."""
    record = np.zeros((), dtype=record_dtype(len(vector)))
    record["version"], record["dim"] = VERSION, len(vector)
    record["id"] = np.void(item_id.bytes)
    record["occurred_days"] = days(occurred_at)
    known = latitude is not None and longitude is not None
    record["latitude"] = latitude if known else np.nan
    record["longitude"] = longitude if known else np.nan
    record["colours"], record["brands"] = attribute_masks(attributes)
    record["category"] = category_code(canonical_category)
    if descriptor is not None:
        record["photo"], record["phash"] = 1, descriptor[0]
        record["colour"] = np.frombuffer(descriptor[1], dtype=np.uint8)
    record["vector"] = vector
    return record.tobytes()


def unpack(blobs: Sequence[bytes], dim: int) -> np.ndarray:
    """Records of `dim` dimensions as one structured array, in order; records of another
    layout (another model's embeddings) are left out."""
    dtype = record_dtype(dim)
    kept = [blob for blob in blobs if len(blob) == dtype.itemsize]
    records = np.frombuffer(b"".join(kept), dtype=dtype) if kept else np.zeros(0, dtype)
    return records[records["version"] == VERSION]


def dim_of(blob: bytes) -> int:
    """The embedding dimensions a record was written with."""
    return int(np.frombuffer(blob[1:3], dtype="<u2")[0]) if len(blob) >= 3 else 0


def ids(records: np.ndarray) -> list[uuid.UUID]:
    return [uuid.UUID(bytes=bytes(value)) for value in records["id"]]


def unit_vectors(vectors: np.ndarray) -> np.ndarray:
    """int8 vectors as float32 rows of length 1: their dot products are cosines."""
    matrix = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return matrix / np.maximum(norms, 1e-9)
