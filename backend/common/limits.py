"""Limits more than one service must agree on: one number, read by each.

The API accepts what the worker can enrich, the worker sends what NLP and vision accept, and a
test checks the largest report the API takes passes through every service.
"""

from __future__ import annotations

MAX_TITLE_CHARS = 200
MAX_DESCRIPTION_CHARS = 5000
MAX_LABEL_CHARS = 50  # category, colour
MAX_BRAND_CHARS = 80

# The text that stands for a report: title, description, colour, brand, category joined by ". ".
MAX_REPORT_TEXT_CHARS = (
    MAX_TITLE_CHARS + MAX_DESCRIPTION_CHARS + 2 * MAX_LABEL_CHARS + MAX_BRAND_CHARS + 4 * len(". ")
)

# Texts one NLP request may carry.
MAX_TEXTS = 64

# Photos are re-encoded on upload so the long side is at most this: what vision decodes is
# bounded whatever the camera was (a 48-megapixel phone photo included).
MAX_PHOTO_SIDE_PX = 2048
# Decoded on upload at most this many pixels (the decompression-bomb guard).
MAX_UPLOAD_PIXELS = 60_000_000
MAX_PHOTO_BYTES = 10 * 1024 * 1024

# Feature records one vision /similarity call compares; the worker splits larger batches.
MAX_SIMILARITY_CANDIDATES = 500
