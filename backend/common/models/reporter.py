"""Who reports items. Authenticated by a bearer API token stored only as its SHA-256."""

from __future__ import annotations

import enum
import hashlib
import secrets
import uuid

from sqlalchemy import String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from backend.common.models.base import Base, enum_type
from backend.common.models.soft_delete import AuditLogMixin


class ReporterRole(enum.StrEnum):
    PERSON = "person"  # reports their own items, one at a time
    OFFICE = "office"  # a lost-property office: uploads many reports at once (admin-created)


def new_api_token() -> str:
    return secrets.token_urlsafe(32)


def hash_api_token(token: str) -> str:
    # Tokens are 256 random bits, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


class Reporter(AuditLogMixin, Base):
    __tablename__ = "reporter"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254), default=None)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[ReporterRole] = mapped_column(
        enum_type(ReporterRole), default=ReporterRole.PERSON, server_default="person"
    )
