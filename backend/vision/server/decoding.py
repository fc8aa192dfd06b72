"""Safe image decoding: size limits before any pixel is decoded, EXIF orientation honoured,
large images downscaled while decoding (JPEG draft mode) and after."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageOps

# Our pixel limit (a setting) is the decompression-bomb guard: checked from the header, right
# after open() and before any pixel is decoded. Pillow's fixed global guard would pre-empt it.
Image.MAX_IMAGE_PIXELS = None

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "BMP", "TIFF"}


class ImageError(Exception):
    """A bad image, with the HTTP status that says why."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


def sniff_format(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head.startswith(b"BM"):
        return "BMP"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    return None


def decode_image(
    data: bytes, *, max_bytes: int, max_pixels: int, work_size: int
) -> tuple[np.ndarray, tuple[int, int]]:
    """RGB uint8 array (long side <= work_size) and the original (width, height) after EXIF
    rotation. Raises ImageError: 413 too large, 415 not an image, 422 corrupt or truncated."""
    if len(data) > max_bytes:
        raise ImageError(413, f"image is {len(data)} bytes; the limit is {max_bytes}")
    if not data:
        raise ImageError(422, "image is empty")
    fmt = sniff_format(data[:16])
    if fmt is None:
        raise ImageError(415, "not an image: expected JPEG, PNG, WebP, BMP or TIFF bytes")
    try:
        image: Image.Image = Image.open(io.BytesIO(data), formats=[fmt])
        width, height = image.size  # from the header: nothing decoded yet
        if width * height > max_pixels:
            raise ImageError(
                413,
                f"image is {width}x{height} = {width * height} pixels; the limit is {max_pixels}",
            )
        if fmt == "JPEG":
            image.draft("RGB", (work_size, work_size))  # decode at reduced scale
        image.load()
        image = ImageOps.exif_transpose(image)
        if image.mode != "RGB":
            image = image.convert("RGB")
    except ImageError:
        raise
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(422, f"image is corrupt or truncated: {exc}") from exc
    original = (height, width) if _swaps_axes(image, width, height) else (width, height)
    if max(image.size) > work_size:
        image.thumbnail((work_size, work_size), Image.Resampling.LANCZOS)
    return np.asarray(image, dtype=np.uint8), original


def _swaps_axes(image: Image.Image, width: int, height: int) -> bool:
    # After EXIF rotation by 90/270 degrees the aspect ratio flips.
    w, h = image.size
    return width != height and (w > h) != (width > height)
