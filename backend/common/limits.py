"""Limits more than one service must agree on: one number, read by each.

The API accepts what the worker can enrich, the worker sends what NLP and vision accept, and a
test checks the largest report the API takes passes through every service.
"""

from __future__ import annotations

MAX_TITLE_CHARS = 200
MAX_DESCRIPTION_CHARS = 5000
MAX_LABEL_CHARS = 50  # category, colour
MAX_BRAND_CHARS = 80
# Private details (the claim check's secret) and an identifier (serial, IMEI, frame number).
MAX_PRIVATE_DETAILS_CHARS = 1000
MAX_IDENTIFIER_CHARS = 100

# The text that stands for a report: title, description, colour, brand, category joined by ". ".
MAX_REPORT_TEXT_CHARS = (
    MAX_TITLE_CHARS + MAX_DESCRIPTION_CHARS + 2 * MAX_LABEL_CHARS + MAX_BRAND_CHARS + 4 * len(". ")
)

# Texts one NLP request may carry.
MAX_TEXTS = 64

# Photos are re-encoded on upload so the long side is at most this: what vision decodes is
# bounded whatever the camera was (a 48-megapixel phone photo included).
MAX_PHOTO_SIDE_PX = 2048
# The decompression-bomb guard, read from the header before any pixel is decoded: an image may
# declare at most MAX_UPLOAD_PIXELS, and what is actually decoded (a JPEG decodes at a reduced
# scale, other formats whole) at most MAX_DECODED_PIXELS, 4 bytes each, about twice that while
# it is made small. A 48-megapixel JPEG decodes at half scale (12 MP); a 4,000 x 3,000 PNG
# decodes whole (12 MP); a 6,300 x 6,300 PNG would be 40 MP (160 MB, and 320 MB to shrink):
# refused. With two photos decoded at once (PHOTO_DECODE_SLOTS) the API stays under 384 MiB.
MAX_UPLOAD_PIXELS = 120_000_000
MAX_DECODED_PIXELS = 12_000_000
MAX_PHOTO_BYTES = 10 * 1024 * 1024

# Feature records one vision /similarity call compares; the worker splits larger batches.
MAX_SIMILARITY_CANDIDATES = 500
