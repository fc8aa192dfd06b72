"""The match record: what candidate retrieval reads of an item, as one fixed-layout bytes value.

Matching one new report reads every open report of the other kind in its time window and
place: thousands of rows in a table of a million. As ORM objects that took seconds; one bytes
column read straight from a covering index (models/item.py, `ix_item_match`) takes
milliseconds. The record holds what the first scoring pass needs: the text embedding quantised
to int8 (384 bytes, a quarter of float32), colour and brand masks, the category and the other
categories the report mentions (what a bag held), the place (or that it was a journey), the
time, a hash of the item's identifier and the photo's compact descriptor
(backend/common/photo_similarity.py). What a person reads (title, description, photo) stays in
the row, for the shortlist only.

Version 1 records (before mentions, identifier and journey) are still read, those fields
empty, until their items are enriched again.

Written by the worker at enrichment, read by the worker at matching; the migration that
introduced it builds records from the columns it replaced.
"""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any

import numpy as np

from backend.common.clock import in_utc
from backend.common.photo_similarity import DESCRIPTOR_COLOUR_BYTES

VERSION = 2
ATTRIBUTE_KEYS = ("colours", "brands")
JOURNEY = 1  # flags: the report names a journey (a train, a bus): its place is a route
# flags: nobody typed the category and the text names objects of several groups
# ("Portemonneehoesje met Samsung telefoon": a wallet first): a report of a category it names
# reaches it
UNSURE_GROUP = 2


def _fields(dim: int, version: int) -> list[tuple[Any, ...]]:
    fields: list[tuple[Any, ...]] = [
        ("version", "u1"),
        ("dim", "<u2"),
        ("id", "V16"),
        ("occurred_days", "<f8"),  # days since the epoch
        ("latitude", "<f4"),  # NaN: no coordinates
        ("longitude", "<f4"),
        ("colours", "<u8"),  # attribute masks (attribute_mask)
        ("brands", "<u8"),
        ("category", "<u4"),  # category_code; 0: unknown
    ]
    if version >= 2:
        fields += [
            ("mentions", "<u8"),  # attribute_mask of every category the text names
            ("ident", "<u8"),  # identifier_hash; 0: none
            ("flags", "u1"),  # JOURNEY, UNSURE_GROUP
        ]
    return [
        *fields,
        ("photo", "u1"),  # 1: phash and colour hold a photo's descriptor
        ("phash", "<u8"),
        ("colour", "u1", (DESCRIPTOR_COLOUR_BYTES,)),
        ("vector", "i1", (dim,)),  # quantize(embedding)
    ]


@cache
def record_dtype(dim: int, version: int = VERSION) -> np.dtype:
    """The record's layout for embeddings of `dim` dimensions (little-endian, packed)."""
    return np.dtype(_fields(dim, version))


# The canonical colours have bits of their own (a collision would make red agree with black);
# other values share the remaining bits by CRC32 (rare collisions only over-match).
OWN_BITS = {
    colour: bit
    for bit, colour in enumerate(
        "black white grey red blue green yellow orange pink purple brown gold".split()
    )
}
_SHARED_BITS = 63 - len(OWN_BITS)


def attribute_mask(values: Iterable[str]) -> int:
    """A 63-bit set of canonical values."""
    mask = 0
    for value in values:
        key = value.strip().lower()
        bit = OWN_BITS.get(key)
        if bit is None:
            bit = len(OWN_BITS) + zlib.crc32(key.encode()) % _SHARED_BITS
        mask |= 1 << bit
    return mask


def attribute_masks(attributes: Mapping[str, Iterable[str]] | None) -> tuple[int, int]:
    """(colours, brands) masks of an item's canonical attributes."""
    attributes = attributes or {}
    colours, brands = (attribute_mask(attributes.get(key, ())) for key in ATTRIBUTE_KEYS)
    return colours, brands


def identifier_hash(key: str | None) -> int:
    """An item's identifier key (its SHA-256, hex) as 64 bits; 0 without one."""
    return (int(key[:16], 16) or 1) if key else 0


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
    identifier_key: str | None = None,
    journey: bool = False,
    unsure_group: bool = False,
) -> bytes:
    """One item's record; `vector` is quantize()d, `descriptor` from photo_similarity; the
    categories the text mentions are `attributes["categories"]`."""
    record = np.zeros((), dtype=record_dtype(len(vector)))
    record["version"], record["dim"] = VERSION, len(vector)
    record["id"] = np.void(item_id.bytes)
    record["occurred_days"] = days(occurred_at)
    known = latitude is not None and longitude is not None
    record["latitude"] = latitude if known else np.nan
    record["longitude"] = longitude if known else np.nan
    record["colours"], record["brands"] = attribute_masks(attributes)
    record["category"] = category_code(canonical_category)
    record["mentions"] = attribute_mask((attributes or {}).get("categories", ()))
    record["ident"] = identifier_hash(identifier_key)
    record["flags"] = (JOURNEY if journey else 0) | (UNSURE_GROUP if unsure_group else 0)
    if descriptor is not None:
        record["photo"], record["phash"] = 1, descriptor[0]
        record["colour"] = np.frombuffer(descriptor[1], dtype=np.uint8)
    record["vector"] = vector
    return record.tobytes()


def unpack(blobs: Sequence[bytes], dim: int) -> np.ndarray:
    """Records of `dim` dimensions as one structured array of this version's layout, in order;
    version 1 records are read with their new fields empty; records of another layout (another
    model's embeddings) are left out."""
    dtype = record_dtype(dim)
    old = record_dtype(dim, 1)
    if all(len(blob) == dtype.itemsize for blob in blobs):  # the usual case: one read
        records = np.frombuffer(b"".join(blobs), dtype=dtype) if blobs else np.zeros(0, dtype)
        return records[records["version"] == VERSION]
    out = np.zeros(len(blobs), dtype)
    keep = np.zeros(len(blobs), bool)
    for index, blob in enumerate(blobs):
        if len(blob) == dtype.itemsize and blob[0] == VERSION:
            out[index] = np.frombuffer(blob, dtype=dtype)[0]
        elif len(blob) == old.itemsize and blob[0] == 1:
            record = np.frombuffer(blob, dtype=old)[0]
            for name in old.names or ():
                out[index][name] = record[name]
        else:
            continue
        keep[index] = True
    return out[keep]


def unpack_joined(joined: bytes, others: Sequence[bytes], dim: int) -> np.ndarray:
    """`unpack` for records the database returned joined into one value (`joined`: those of
    this layout's size, end to end) and the rest one by one (`others`: older layouts)."""
    dtype = record_dtype(dim)
    if len(joined) % dtype.itemsize:
        raise ValueError(f"{len(joined)} bytes are not records of {dtype.itemsize}")
    records = np.frombuffer(joined, dtype=dtype)
    records = records[records["version"] == VERSION]
    return np.concatenate([records, unpack(others, dim)]) if others else records


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
