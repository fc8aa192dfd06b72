"""The states an item and a match go through."""

from __future__ import annotations

import enum


class ItemKind(enum.StrEnum):
    LOST = "lost"
    FOUND = "found"

    @property
    def other(self) -> ItemKind:
        return ItemKind.FOUND if self is ItemKind.LOST else ItemKind.LOST


class ItemStatus(enum.StrEnum):
    OPEN = "open"
    MATCHED = "matched"
    RETURNED = "returned"
    CLOSED = "closed"


class EnrichmentState(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class MatchStatus(enum.StrEnum):
    SUGGESTED = "suggested"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
