"""The states an item and a match go through."""

from __future__ import annotations

import enum
from typing import TypeVar


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


class CustodyState(enum.StrEnum):
    """Where a desk's found item is: on its shelves, or gone (to its owner, or disposed of)."""

    HELD = "held"
    HANDED_OVER = "handed_over"
    DISPOSED = "disposed"


class MatchStatus(enum.StrEnum):
    SUGGESTED = "suggested"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


StateT = TypeVar("StateT", bound=enum.StrEnum)


class TransitionRefused(ValueError):
    """A state change the domain does not allow, with the reason in words for people."""


# What may follow what. One home: the models' methods check these, the API maps a refusal to
# 409, and the tests walk every pair.
STATUS_NEXT: dict[ItemStatus, frozenset[ItemStatus]] = {
    # Open: matched through a confirmed match, returned some other way, or withdrawn.
    ItemStatus.OPEN: frozenset({ItemStatus.MATCHED, ItemStatus.RETURNED, ItemStatus.CLOSED}),
    # Matched: handed over, or the match turned out wrong (open again), or withdrawn.
    ItemStatus.MATCHED: frozenset({ItemStatus.RETURNED, ItemStatus.OPEN, ItemStatus.CLOSED}),
    ItemStatus.RETURNED: frozenset({ItemStatus.CLOSED}),
    ItemStatus.CLOSED: frozenset({ItemStatus.OPEN}),  # reopened
}

ENRICHMENT_NEXT: dict[EnrichmentState, frozenset[EnrichmentState]] = {
    # Requested: stored, or failed (with a reason; the sweep may retry).
    EnrichmentState.PENDING: frozenset({EnrichmentState.DONE, EnrichmentState.FAILED}),
    # Failed: requested again (a change, or the sweep's retry), or a duplicate job succeeded.
    EnrichmentState.FAILED: frozenset({EnrichmentState.PENDING, EnrichmentState.DONE}),
    # Done: what the report matches on changed.
    EnrichmentState.DONE: frozenset({EnrichmentState.PENDING}),
}

MATCH_NEXT: dict[MatchStatus, frozenset[MatchStatus]] = {
    MatchStatus.SUGGESTED: frozenset({MatchStatus.CONFIRMED, MatchStatus.REJECTED}),
    MatchStatus.CONFIRMED: frozenset(),  # contacts were shared: final
    MatchStatus.REJECTED: frozenset(),  # final: the people said no
}


CUSTODY_NEXT: dict[CustodyState, frozenset[CustodyState]] = {
    # Held (and moved between shelves): handed to its owner, or disposed of after its period.
    CustodyState.HELD: frozenset({CustodyState.HANDED_OVER, CustodyState.DISPOSED}),
    CustodyState.HANDED_OVER: frozenset(),  # final: the owner has it
    CustodyState.DISPOSED: frozenset(),  # final: it left the desk
}


def sources(flow: dict[StateT, frozenset[StateT]], target: StateT) -> list[StateT]:
    """The states `target` may follow."""
    return [state for state, following in flow.items() if target in following]


def check_transition(
    flow: dict[StateT, frozenset[StateT]], current: StateT, target: StateT, what: str
) -> None:
    if target != current and target not in flow[current]:
        raise TransitionRefused(f"{what} cannot go from {current} to {target}")
