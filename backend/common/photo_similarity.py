"""How alike two photos are: the one formula vision's /similarity and the worker's first matching
pass share.

Vision compares whole feature records: ORB keypoints that agree on one homography (recognises
the same object turned, scaled or cropped, but is colour-blind), a 16x16 rg-chromaticity
histogram (tells a red bag from a blue one, unchanged by brighter or darker light) and a 64-bit
perceptual hash (near-duplicates). The worker ranks thousands of candidates without calling
vision, from a compact descriptor of each record: the hash and the histogram summed to 8x8
(72 bytes). Both sides combine the signals with `photo_score`; only the shortlist is checked by
vision with its keypoints.
"""

from __future__ import annotations

from typing import Any

import numpy as np

COLOUR_BINS = 16  # vision's histogram: COLOUR_BINS x COLOUR_BINS
DESCRIPTOR_BINS = 8  # the compact descriptor's: summed 2x2 blocks of vision's
DESCRIPTOR_COLOUR_BYTES = DESCRIPTOR_BINS * DESCRIPTOR_BINS


def _unit(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, np.float64)
    return rows / np.maximum(np.linalg.norm(rows, axis=-1, keepdims=True), 1e-12)


def colour_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """1 - Bhattacharyya distance of two histograms given as the square roots of their bins
    (rows of `a` against `b`). sum(sqrt(h1 * h2)) / sqrt(sum(h1) * sum(h2)) is the cosine of the
    roots, and sqrt(1 - it) is OpenCV's HISTCMP_BHATTACHARYYA."""
    overlap = np.clip(_unit(a) @ _unit(b).T, 0.0, 1.0)
    return np.asarray(1.0 - np.sqrt(1.0 - overlap))


def hash_similarity(a: np.ndarray | int, b: np.ndarray | int) -> np.ndarray:
    """Share of the 64 perceptual-hash bits two photos agree on."""
    different = np.bitwise_xor(np.asarray(a, np.uint64), np.asarray(b, np.uint64))
    return np.asarray(1.0 - np.bitwise_count(different) / 64.0)


def photo_score(geometric: Any, colour: Any, hashed: Any) -> np.ndarray:
    """The photo component of a match. Shape evidence (keypoints, or a near-identical hash)
    counts only as far as the colours agree: the same bag model in another colour is another
    bag."""
    shape = np.maximum(geometric, np.maximum(0.0, (np.asarray(hashed) - 0.75) / 0.25))
    score = (0.65 * shape + 0.35 * np.asarray(colour)) * (0.35 + 0.65 * np.asarray(colour))
    return np.asarray(np.clip(score, 0.0, 1.0))


# -- the compact descriptor ------------------------------------------------------------------


def descriptor_of(record: dict[str, Any]) -> tuple[int, bytes]:
    """(perceptual hash, 8x8 colour as square roots scaled to bytes) of a vision feature
    record; ValueError if the record has neither."""
    try:
        phash = int(str(record["phash"]), 16)
        hist = np.asarray(record["colour_hist"], dtype=np.float64)
        hist = hist.reshape(COLOUR_BINS, COLOUR_BINS)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"not a vision feature record: {exc}") from exc
    step = COLOUR_BINS // DESCRIPTOR_BINS
    coarse = hist.reshape(DESCRIPTOR_BINS, step, DESCRIPTOR_BINS, step).sum(axis=(1, 3)).ravel()
    mass = coarse.sum()
    roots = np.sqrt(coarse / mass) if mass > 0 else coarse
    return phash, np.round(roots * 255).astype(np.uint8).tobytes()


def descriptor_or_none(record: dict[str, Any] | None) -> tuple[int, bytes] | None:
    """descriptor_of a stored record, None for none or one of another shape."""
    try:
        return descriptor_of(record) if record else None
    except ValueError:
        return None


def descriptor_scores(
    phash: int, colour: np.ndarray, phashes: np.ndarray, colours: np.ndarray
) -> np.ndarray:
    """First-pass photo scores of one photo against many, from descriptors (no keypoints, so a
    lower bound of what vision finds for the same object photographed twice)."""
    colour_scores = colour_similarity(colours, colour)
    return photo_score(0.0, colour_scores, hash_similarity(phashes, phash))
