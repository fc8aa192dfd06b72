"""The one clock of the system: aware UTC times everywhere (stored, compared, shown)."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def in_utc(moment: datetime) -> datetime:
    """`moment` as an aware UTC time; a naive one is taken as UTC (SQLite hands them back so)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC)
