"""Photo storage on local disk (a volume in deployment).

The type is decided from the bytes (magic numbers), never from the client's file name or
content type, and file names are generated. A photo is written to its final name only after its
bytes passed every check; the caller deletes it again if the database transaction fails.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from fastapi import HTTPException, status

CHUNK = 64 * 1024


def sniff_image_type(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a JPEG, PNG or WebP by its first bytes, else None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", ".jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", ".png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", ".webp"
    return None


@dataclass(frozen=True)
class StoredPhoto:
    path: Path
    file_name: str
    content_type: str
    size_bytes: int
    sha256: str


class PhotoStore:
    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes

    def path_of(self, file_name: str) -> Path:
        return self.root / file_name

    def save(self, upload: BinaryIO) -> StoredPhoto:
        """Check and store an upload; raises 413/415/422 HTTPExceptions with a clear message."""
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".upload-{uuid.uuid4().hex}"
        digest = hashlib.sha256()
        size = 0
        kind: tuple[str, str] | None = None
        try:
            with tmp.open("wb") as out:
                while chunk := upload.read(CHUNK):
                    if size == 0:
                        kind = sniff_image_type(chunk)
                        if kind is None:
                            raise HTTPException(
                                status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                                "the photo is not a JPEG, PNG or WebP image",
                            )
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise HTTPException(
                            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
                            f"the photo is larger than the limit of {self.max_bytes} bytes",
                        )
                    digest.update(chunk)
                    out.write(chunk)
            if size == 0 or kind is None:
                raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, "the photo file is empty")
            content_type, extension = kind
            file_name = f"{uuid.uuid4().hex}{extension}"
            final = self.path_of(file_name)
            os.replace(tmp, final)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return StoredPhoto(final, file_name, content_type, size, digest.hexdigest())

    def delete(self, file_name: str) -> None:
        self.path_of(file_name).unlink(missing_ok=True)
