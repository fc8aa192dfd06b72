"""Shared test data for the API tests."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

from PIL import Image

ADMIN_TOKEN = "admin-test-token-0123456789abcdefghij"
MAX_PHOTO_BYTES = 100_000

Headers = dict[str, str]
ADMIN: Headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def item_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "lost",
        "title": "Black leather wallet",
        "description": "Lost near the central station, has a red stripe inside",
        "category": "wallet",
        "colour": "black",
        "brand": "Fossil",
        "latitude": 52.3791,
        "longitude": 4.9003,
        "place_name": "Amsterdam Centraal",
        "occurred_at": (datetime.now(UTC) - timedelta(days=1)).isoformat(),
        "contact": "ada@example.org",
    }
    body.update(overrides)
    return body


def png_bytes(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A valid PNG of one colour."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), rgb).save(buffer, format="PNG")
    return buffer.getvalue()


def bomb_png(width: int, height: int) -> bytes:
    """A PNG of `width` x `height` transparent pixels: a few hundred kB that decode to
    width * height * 4 bytes (a decompression bomb), made without holding those bytes (so by
    hand: Pillow would build the whole image in memory first)."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + 4 * width)
    parts = [compressor.compress(row) for _ in range(height)]
    data = b"".join(parts) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )
