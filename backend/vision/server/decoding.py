"""Decoding for features: the common safe opening (backend.common.images) at the work size."""

from __future__ import annotations

import numpy as np

from backend.common.images import ImageError, open_rgb

ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "BMP", "TIFF"})

__all__ = ["ACCEPTED_FORMATS", "ImageError", "decode_image"]


def decode_image(
    data: bytes, *, max_bytes: int, max_pixels: int, max_decoded_pixels: int, work_size: int
) -> tuple[np.ndarray, tuple[int, int]]:
    """RGB uint8 array (long side <= work_size) and the original (width, height) after EXIF
    rotation. Raises ImageError: 413 too large, 415 not an image, 422 corrupt or truncated."""
    if len(data) > max_bytes:
        raise ImageError(413, f"image is {len(data)} bytes; the limit is {max_bytes}")
    image, original = open_rgb(
        data,
        max_pixels=max_pixels,
        long_side=work_size,
        formats=ACCEPTED_FORMATS,
        max_decoded_pixels=max_decoded_pixels,
    )
    return np.asarray(image, dtype=np.uint8), original
