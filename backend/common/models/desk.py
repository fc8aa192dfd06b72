"""A lost-property desk's side of a found item: its custody (which shelf, until when it must be
kept, what became of it), the trail of who did what to it, and the office's holding periods.

The trail is append-only in the database itself: a trigger refuses every UPDATE and DELETE of
an entry (`APPEND_ONLY`), so no code path, old or new, can rewrite what a desk did."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from backend.common.clock import utcnow
from backend.common.models.base import Base, enum_type
from backend.common.models.enums import CUSTODY_NEXT, CustodyState, check_transition
from backend.common.taxonomy import taxonomy


class ItemAction(enum.StrEnum):
    """What an entry of an item's trail records."""

    REGISTERED = "registered"  # the desk registered the report
    UPDATED = "updated"  # the desk changed the report (which fields: details)
    RECEIVED = "received"  # taken into custody, on a shelf
    MOVED = "moved"  # to another shelf, bin or seal bag
    HANDED_OVER = "handed_over"  # to its owner, at the counter or by post
    DISPOSED = "disposed"  # after its holding period
    MATCH_ACCEPTED = "match_accepted"
    MATCH_REJECTED = "match_rejected"


class DisposalDestination(enum.StrEnum):
    CHARITY = "charity"
    AUCTION = "auction"
    DESTROYED = "destroyed"
    POLICE = "police"
    ISSUING_AUTHORITY = "issuing_authority"  # the municipality or bank that issued it


class HandOverMethod(enum.StrEnum):
    PICKUP = "pickup"  # at the counter, against an identity check
    SHIPPING = "shipping"  # by post, with a tracking number


# Identity documents and payment cards: never shown to the public and never sold or given away;
# they go back to who issued them, to the police, or are destroyed.
SENSITIVE_CATEGORIES = frozenset({"passport", "id card", "driving licence", "bank card"})


def is_sensitive(category: str | None) -> bool:
    """A canonical category the public never sees (the public view, search and listings)."""
    return category in SENSITIVE_CATEGORIES


def typed_sensitive(typed: str | None) -> bool:
    """A typed category ("paspoort", "credit card") naming a sensitive one: the report is
    hidden from the moment it is stored, before enrichment reads the rest of it."""
    return typed is not None and any(
        is_sensitive(category) for category in taxonomy().canonical("CATEGORY", typed)
    )


SENSITIVE_DESTINATIONS = frozenset(
    {
        DisposalDestination.ISSUING_AUTHORITY,
        DisposalDestination.POLICE,
        DisposalDestination.DESTROYED,
    }
)


class Custody(Base):
    """A found item a desk holds or held: one row per item, from the day it was received."""

    __tablename__ = "custody"
    __table_args__ = (
        # The expiry list: an office's held items by the day their holding period ends.
        Index("ix_custody_expiry", "office_id", "state", "keep_until"),
        # Statistics: an office's items by the day they came in.
        Index("ix_custody_office_held_since", "office_id", "held_since"),
    )

    item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("item.id"), primary_key=True)
    office_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reporter.id"))
    state: Mapped[CustodyState] = mapped_column(enum_type(CustodyState), default=CustodyState.HELD)
    location: Mapped[str] = mapped_column(String(100))
    # The category the holding period and the statistics count it under, fixed at receipt.
    category: Mapped[str] = mapped_column(String(50))
    value_eur: Mapped[int | None] = mapped_column(Integer, default=None)
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    held_since: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    keep_until: Mapped[date] = mapped_column(Date)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    def end(self, state: CustodyState, at: datetime) -> None:
        """The item left the desk; TransitionRefused if it already had."""
        check_transition(CUSTODY_NEXT, self.state, state, "an item in custody")
        self.state = state
        self.ended_at = at

    def require_held(self) -> None:
        check_transition(CUSTODY_NEXT, self.state, CustodyState.HELD, "an item in custody")


class ItemEvent(Base):
    """One entry of an item's trail: what was done, by whom (None: the admin), when."""

    __tablename__ = "item_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("item.id"), index=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("reporter.id"), default=None)
    action: Mapped[ItemAction] = mapped_column(enum_type(ItemAction))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class HoldingPeriod(Base):
    """An office's own holding period for a category, in months (else the deployment's)."""

    __tablename__ = "holding_period"

    office_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reporter.id"), primary_key=True)
    category: Mapped[str] = mapped_column(String(50), primary_key=True)
    months: Mapped[int] = mapped_column(Integer)


_REFUSAL = "an audit entry cannot be changed or removed"

# Per dialect: the statements that make `item_event` append-only, and those that undo them.
# Migration 0009 applies them: change them only together with a new migration.
APPEND_ONLY: dict[str, tuple[list[str], list[str]]] = {
    "postgresql": (
        [
            "CREATE FUNCTION item_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{_REFUSAL}' USING ERRCODE = 'restrict_violation'; END $$",
            "CREATE TRIGGER item_event_append_only BEFORE UPDATE OR DELETE ON item_event "
            "FOR EACH ROW EXECUTE FUNCTION item_event_append_only()",
        ],
        [
            "DROP TRIGGER IF EXISTS item_event_append_only ON item_event",
            "DROP FUNCTION IF EXISTS item_event_append_only()",
        ],
    ),
    "sqlite": (
        [
            f"CREATE TRIGGER item_event_no_{verb.lower()} BEFORE {verb} ON item_event "
            f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END"
            for verb in ("UPDATE", "DELETE")
        ],
        [f"DROP TRIGGER IF EXISTS item_event_no_{verb}" for verb in ("update", "delete")],
    ),
}
