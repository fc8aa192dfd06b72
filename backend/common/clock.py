"""The one clock of the system: aware UTC times everywhere (stored, compared, shown)."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
