"""API settings: the common names (HOST, PORT, DATABASE_URL, BROKER_URL, ...) plus the API's own."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import Field, SecretStr

from backend.common.settings import ServiceSettings


class ApiSettings(ServiceSettings):
    port: int = Field(default=8000, ge=1, le=65535)
    photo_dir: Path | None = Field(
        default=None, description="Where photos are stored (a volume); default DATA_DIR/photos."
    )
    max_photo_bytes: int = Field(default=10 * 1024 * 1024, gt=0, description="Photo size limit.")
    default_page_size: int = Field(default=20, gt=0)
    max_page_size: int = Field(default=100, gt=0, description="Largest page a listing returns.")
    admin_token: SecretStr | None = Field(
        default=None, description="Bearer token that may see and restore deleted items."
    )
    auto_migrate: bool | None = Field(
        default=None, description="Apply migrations at start; default: only for embedded SQLite."
    )

    @cached_property
    def photos_path(self) -> Path:
        return self.photo_dir or self.data_dir / "photos"

    @property
    def migrate_on_start(self) -> bool:
        return self.uses_embedded_database if self.auto_migrate is None else self.auto_migrate
