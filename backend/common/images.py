"""Opening untrusted image bytes safely, and the photo a report keeps.

One home for the rules both the API (which re-encodes every upload) and vision (which decodes
for features) apply: the type is judged from the bytes, the pixel count from the header before
any pixel is decoded, and EXIF orientation is applied.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

from backend.common.limits import MAX_DECODED_PIXELS, MAX_PHOTO_SIDE_PX

# Our pixel limits (settings) are the decompression-bomb guard, checked right after open().
# Pillow's fixed global guard would pre-empt them with its own error.
Image.MAX_IMAGE_PIXELS = None

STORED_QUALITY = 90


class ImageError(Exception):
    """A bad image, with the HTTP status that says why."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


def sniff_format(head: bytes) -> str | None:
    """Pillow's format name by the first bytes: JPEG, PNG, WEBP, BMP, TIFF; else None."""
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


def open_rgb(
    data: bytes,
    *,
    max_pixels: int,
    long_side: int,
    formats: frozenset[str],
    max_decoded_pixels: int = MAX_DECODED_PIXELS,
) -> tuple[Image.Image, tuple[int, int]]:
    """An RGB image upright (EXIF orientation applied) with its long side at most `long_side`,
    and the original (width, height) upright. Raises ImageError: 413 too many pixels (declared,
    or to decode), 415 not an accepted format, 422 empty, corrupt or truncated.

    Memory is bounded before anything is decoded: the header's size against `max_pixels`, then
    what will be decoded (a JPEG at a reduced scale) against `max_decoded_pixels`, and the
    image is made small before it is copied (orientation, transparency)."""
    if not data:
        raise ImageError(422, "the image is empty")
    fmt = sniff_format(data[:16])
    if fmt is None or fmt not in formats:
        names = ", ".join(sorted(formats))
        raise ImageError(415, f"not an accepted image: expected {names} bytes")
    try:
        image: Image.Image = Image.open(io.BytesIO(data), formats=[fmt])
        width, height = image.size  # from the header: nothing decoded yet
        if width * height > max_pixels:
            raise ImageError(
                413,
                f"the image is {width}x{height} = {width * height} pixels; "
                f"the limit is {max_pixels}",
            )
        if fmt == "JPEG":
            image.draft("RGB", (long_side, long_side))  # decode at a reduced scale
        decoded = image.size[0] * image.size[1]
        if decoded > max_decoded_pixels:
            raise ImageError(
                413,
                f"the image is {width}x{height} {fmt}: {decoded} pixels to decode; the limit is "
                f"{max_decoded_pixels} (a JPEG may be larger: it is decoded at a reduced scale)",
            )
        orientation = image.getexif().get(EXIF_ORIENTATION, 1)
        image.load()
        if image.mode in ("P", "PA"):
            image = image.convert("RGBA")  # a palette is resampled as colours, not indices
        if image.mode in _PREMULTIPLIED:
            # Resampling needs premultiplied alpha; Pillow would make that copy inside resize()
            # and keep the original too. Made here, the original is let go first.
            image = image.convert(_PREMULTIPLIED[image.mode])
        if max(image.size) > long_side:
            image.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)
        if orientation != 1:
            image = _upright(image, orientation)
        if image.mode in ("RGBa", "La"):  # small now: onto white
            image = image.convert("RGBA")
            backdrop = Image.new("RGBA", image.size, (255, 255, 255, 255))
            image = Image.alpha_composite(backdrop, image)
        if image.mode != "RGB":
            image = image.convert("RGB")
    except ImageError:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageError(422, f"the image is corrupt or truncated: {exc}") from exc
    turned = orientation in _QUARTER_TURNS
    original = (height, width) if turned else (width, height)
    return image, original


EXIF_ORIENTATION = 0x0112
_PREMULTIPLIED = {"RGBA": "RGBa", "LA": "La"}
# EXIF orientations that turn the picture a quarter (width and height swap).
_QUARTER_TURNS = frozenset({5, 6, 7, 8})
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _upright(image: Image.Image, orientation: int) -> Image.Image:
    # ImageOps.exif_transpose does this too, but on the image as decoded; here it is small.
    method = _TRANSPOSE.get(orientation)
    return image if method is None else image.transpose(method)


@dataclass(frozen=True)
class StoredImage:
    data: bytes
    content_type: str
    extension: str


def reencode_for_storage(
    data: bytes, *, max_pixels: int, max_decoded_pixels: int = MAX_DECODED_PIXELS
) -> StoredImage:
    """The photo a report keeps: decoded and written again as a JPEG, so no metadata (EXIF GPS,
    owner tags) and no trailing bytes survive, upright, long side at most MAX_PHOTO_SIDE_PX."""
    image, _ = open_rgb(
        data,
        max_pixels=max_pixels,
        long_side=MAX_PHOTO_SIDE_PX,
        formats=frozenset({"JPEG", "PNG", "WEBP"}),
        max_decoded_pixels=max_decoded_pixels,
    )
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=STORED_QUALITY, optimize=True)
    return StoredImage(out.getvalue(), "image/jpeg", ".jpg")
