"""The photo formula vision and the worker share, and the compact descriptor."""

from __future__ import annotations

import numpy as np
import pytest

from backend.common.photo_similarity import (
    COLOUR_BINS,
    colour_similarity,
    descriptor_of,
    descriptor_or_none,
    descriptor_scores,
    hash_similarity,
    photo_score,
)


def record(peaks: dict[int, float], phash: int = 0x0123456789ABCDEF) -> dict[str, object]:
    hist = np.zeros(COLOUR_BINS * COLOUR_BINS)
    for index, mass in peaks.items():
        hist[index] = mass
    return {"phash": f"{phash:016x}", "colour_hist": (hist / hist.sum()).tolist()}


def test_colour_is_bhattacharyya_on_square_roots() -> None:
    a = np.array([0.5, 0.5, 0.0, 0.0])
    b = np.array([0.0, 0.0, 0.5, 0.5])
    c = np.array([0.25, 0.25, 0.25, 0.25])
    assert colour_similarity(np.sqrt(a), np.sqrt(a)) == pytest.approx(1.0)
    assert colour_similarity(np.sqrt(a), np.sqrt(b)) == pytest.approx(0.0)
    # sum(sqrt(a * c)) = 2 * sqrt(0.125); the distance is sqrt(1 - that).
    expected = 1 - np.sqrt(1 - 2 * np.sqrt(0.125))
    assert colour_similarity(np.sqrt(a), np.sqrt(c)) == pytest.approx(expected)
    # Rows against one: what the first pass does for thousands of candidates.
    rows = colour_similarity(np.sqrt(np.stack([a, b, c])), np.sqrt(a))
    assert rows.shape == (3,) and rows[0] == pytest.approx(1.0)


def test_hash_similarity_counts_agreeing_bits() -> None:
    assert hash_similarity(0b1011, 0b1011) == 1.0
    assert hash_similarity(0b1011, 0b1010) == pytest.approx(63 / 64)
    many = hash_similarity(np.array([1, 2, 3], dtype=np.uint64), 1)
    assert many.tolist() == pytest.approx([1.0, 62 / 64, 63 / 64])


def test_shape_counts_only_as_far_as_colours_agree() -> None:
    same_object = photo_score(0.9, 0.9, 0.5)
    same_model_other_colour = photo_score(0.9, 0.1, 0.5)
    assert same_object > 0.7
    assert same_model_other_colour < 0.3
    assert photo_score(0.0, 1.0, 1.0) == pytest.approx(1.0)  # a near-duplicate by hash


def test_the_descriptor_ranks_the_same_photo_first() -> None:
    red = record({10: 0.7, 11: 0.3})
    also_red = record({10: 0.6, 11: 0.4}, phash=0x0123456789ABCDEE)
    blue = record({200: 1.0}, phash=0xFFFFFFFFFFFFFFFF)
    described = [descriptor_of(r) for r in (red, also_red, blue)]
    phashes = np.array([p for p, _ in described], dtype=np.uint64)
    colours = np.array([np.frombuffer(c, np.uint8) for _, c in described])

    phash, colour = descriptor_of(red)
    scores = descriptor_scores(phash, np.frombuffer(colour, np.uint8), phashes, colours)

    assert scores[0] == pytest.approx(1.0, abs=0.01)
    assert scores[0] >= scores[1] > scores[2]
    assert len(colour) == 64


def test_a_record_without_hash_or_colour_has_no_descriptor() -> None:
    with pytest.raises(ValueError, match="not a vision feature record"):
        descriptor_of({"model_version": "stub/1"})
    assert descriptor_or_none({"model_version": "stub/1"}) is None
    assert descriptor_or_none(None) is None
