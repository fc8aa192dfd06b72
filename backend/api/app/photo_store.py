"""Photo storage on local disk (a volume in deployment).

Every upload is re-encoded (backend.common.images): what is stored and served is a JPEG this
service wrote, with no metadata (EXIF GPS, owner tags) and nothing the uploader appended. The type
is judged from the bytes, never from the client's file name or content type, and file names are
generated. A photo reaches its final name only after every check passed; the caller deletes it
again if the database transaction fails.
"""

from __future__ import annotations

import hashlib
import os
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

from backend.common.images import ImageError, reencode_for_storage
from backend.common.limits import MAX_DECODED_PIXELS

CHUNK = 64 * 1024


@dataclass(frozen=True)
class StoredPhoto:
    path: Path
    file_name: str
    content_type: str
    size_bytes: int
    sha256: str


class PhotoStore:
    """Photos on disk. At most `decode_slots` uploads are decoded at once, each within
    `max_decoded_pixels`: the memory photos take is bounded whatever arrives at once."""

    def __init__(
        self,
        root: Path,
        max_bytes: int,
        max_pixels: int,
        *,
        max_decoded_pixels: int = MAX_DECODED_PIXELS,
        decode_slots: int = 2,
        decode_wait_s: float = 30.0,
    ) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels
        self.max_decoded_pixels = max_decoded_pixels
        self._slots = threading.BoundedSemaphore(decode_slots)
        self._decode_wait_s = decode_wait_s

    def path_of(self, file_name: str) -> Path:
        return self.root / file_name

    def _read(self, upload: IO[bytes]) -> bytes:
        chunks, size = [], 0
        while chunk := upload.read(CHUNK):
            size += len(chunk)
            if size > self.max_bytes:
                raise ImageError(
                    413, f"the photo is larger than the limit of {self.max_bytes} bytes"
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def save(self, upload: IO[bytes]) -> StoredPhoto:
        """Check, re-encode and store an upload; ImageError (413/415/422) says why not."""
        data = self._read(upload)
        if not self._slots.acquire(timeout=self._decode_wait_s):
            raise ImageError(503, "too many photos are being processed; retry in a moment")
        try:
            image = reencode_for_storage(
                data, max_pixels=self.max_pixels, max_decoded_pixels=self.max_decoded_pixels
            )
        finally:
            self._slots.release()
            del data
        self.root.mkdir(parents=True, exist_ok=True)
        file_name = f"{uuid.uuid4().hex}{image.extension}"
        final = self.path_of(file_name)
        tmp = self.root / f".upload-{uuid.uuid4().hex}"
        try:
            tmp.write_bytes(image.data)
            os.replace(tmp, final)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        digest = hashlib.sha256(image.data).hexdigest()
        return StoredPhoto(final, file_name, image.content_type, len(image.data), digest)

    def open(self, file_name: str) -> BinaryIO | None:
        """The stored file opened for reading, or None if it is gone (replaced meanwhile). An
        open file stays readable after a replacement deletes its name."""
        try:
            return self.path_of(file_name).open("rb")
        except FileNotFoundError:
            return None

    def delete(self, file_name: str) -> None:
        self.path_of(file_name).unlink(missing_ok=True)
