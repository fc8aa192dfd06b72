"""Text embeddings are stored as little-endian float32 bytes (compact, portable, numpy-native)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

DTYPE = np.dtype("<f4")


def to_bytes(vector: Sequence[float] | np.ndarray) -> bytes:
    return np.asarray(vector, dtype=DTYPE).tobytes()


def from_bytes(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=DTYPE)


def stack(blobs: Sequence[bytes], dim: int) -> np.ndarray:
    """An (n, dim) matrix from n stored embeddings, in one allocation."""
    if not blobs:
        return np.zeros((0, dim), dtype=DTYPE)
    return np.frombuffer(b"".join(blobs), dtype=DTYPE).reshape(len(blobs), dim)
