"""Vision settings: the common names plus the decoding limits and feature sizes."""

from __future__ import annotations

from pydantic import Field

from backend.common.limits import (
    MAX_DECODED_PIXELS,
    MAX_PHOTO_BYTES,
    MAX_SIMILARITY_CANDIDATES,
    MAX_UPLOAD_PIXELS,
)
from backend.common.settings import ServiceSettings


class VisionSettings(ServiceSettings):
    port: int = Field(default=8002, ge=1, le=65535)
    max_image_bytes: int = Field(default=MAX_PHOTO_BYTES, gt=0, description="Upload size limit.")
    max_image_pixels: int = Field(
        default=MAX_UPLOAD_PIXELS,
        gt=0,
        description="Width x height an image may declare, checked before decoding.",
    )
    max_decoded_pixels: int = Field(
        default=MAX_DECODED_PIXELS,
        gt=0,
        description="Pixels decoded per image (a JPEG decodes at a reduced scale), checked "
        "before decoding: with DECODE_THREADS it bounds the memory images take.",
    )
    work_size: int = Field(
        default=640, ge=64, description="Images are downscaled so the long side is at most this."
    )
    orb_features: int = Field(default=500, ge=50, le=5000, description="Keypoints kept per image.")
    max_candidates: int = Field(
        default=MAX_SIMILARITY_CANDIDATES,
        gt=0,
        description="Records one /similarity may compare (the worker splits larger batches).",
    )
    decode_threads: int = Field(default=2, ge=1, description="Threads decoding and extracting.")
