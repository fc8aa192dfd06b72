"""A lost or found item report, its photo, and what enrichment learnt about it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.common.models.base import Base, enum_type
from backend.common.models.enums import EnrichmentState, ItemKind, ItemStatus
from backend.common.models.reporter import Reporter
from backend.common.models.soft_delete import AuditLogMixin, SoftDeleteMixin


class Item(SoftDeleteMixin, AuditLogMixin, Base):
    __tablename__ = "item"
    __table_args__ = (
        Index("ix_item_candidates", "kind", "status", "category_group"),
        Index("ix_item_location", "latitude", "longitude"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    kind: Mapped[ItemKind] = mapped_column(enum_type(ItemKind))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str | None] = mapped_column(String(50), default=None)
    colour: Mapped[str | None] = mapped_column(String(50), default=None)
    brand: Mapped[str | None] = mapped_column(String(80), default=None)
    latitude: Mapped[float | None] = mapped_column(Float, default=None)
    longitude: Mapped[float | None] = mapped_column(Float, default=None)
    place_name: Mapped[str | None] = mapped_column(String(200), default=None)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    reporter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reporter.id"), index=True)
    # Private: shown only to the other party of a match both sides confirmed.
    contact: Mapped[str] = mapped_column(String(254))
    status: Mapped[ItemStatus] = mapped_column(enum_type(ItemStatus), default=ItemStatus.OPEN)

    enrichment_state: Mapped[EnrichmentState] = mapped_column(
        enum_type(EnrichmentState), default=EnrichmentState.PENDING, index=True
    )
    enrichment_error: Mapped[str | None] = mapped_column(Text, default=None)
    enrichment_attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped by every request for enrichment: a result is stored only if no newer request came
    # in while it was computed, so an old title or a missing photo never overwrites a new one.
    enrichment_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    enriched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    # A transient failure (a service down) is retried by the sweep from this time on; null when
    # nothing is to retry (done, pending, or failed for good).
    retry_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    # The enrichment generation last matched: behind `enrichment_generation` while a match job
    # is owed, so the sweep sees matching that never ran.
    matched_generation: Mapped[int | None] = mapped_column(Integer, default=None)
    # float32 little-endian bytes, L2-normalised (see backend.common.vectors).
    text_embedding: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    embedding_model: Mapped[str | None] = mapped_column(String(200), default=None)
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # Canonical values (backend/common/taxonomy) from what was typed, else from the text; the
    # typed `category` and `colour` are kept as written. A candidate of another category group
    # (a dog for a laptop) cannot be the same object.
    canonical_category: Mapped[str | None] = mapped_column(String(50), default=None)
    category_group: Mapped[str | None] = mapped_column(String(50), default=None)
    canonical_colour: Mapped[str | None] = mapped_column(String(50), default=None)
    image_features: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)

    reporter: Mapped[Reporter] = relationship()
    photo: Mapped[Photo | None] = relationship(
        back_populates="item", uselist=False, cascade="all, delete-orphan", lazy="joined"
    )

    def request_enrichment(self) -> None:
        """What the item matches on changed (text, place, time, photo): enrich and match again."""
        self.enrichment_state = EnrichmentState.PENDING
        self.enrichment_error = None
        self.enrichment_attempts = 0
        self.retry_at = None
        self.enrichment_generation = (self.enrichment_generation or 0) + 1


class Photo(AuditLogMixin, Base):
    """The stored photo of an item: a generated file name under the photo directory."""

    __tablename__ = "photo"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("item.id"), unique=True)
    file_name: Mapped[str] = mapped_column(String(100), unique=True)
    content_type: Mapped[str] = mapped_column(String(50))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))

    item: Mapped[Item] = relationship(back_populates="photo")
