"""A lost or found item report, its photo, and what enrichment learnt about it."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    Update,
    Uuid,
    bindparam,
    false,
    inspect,
    text,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from sqlalchemy.orm.attributes import flag_modified

from backend.common.claims import identifier_key
from backend.common.clock import in_utc
from backend.common.geo import round_public
from backend.common.models.base import Base, enum_type
from backend.common.models.desk import typed_sensitive
from backend.common.models.enums import (
    ENRICHMENT_NEXT,
    STATUS_NEXT,
    EnrichmentState,
    ItemKind,
    ItemStatus,
    check_transition,
    sources,
)
from backend.common.models.reporter import Reporter
from backend.common.models.soft_delete import AuditLogMixin, SoftDeleteMixin

# What the public view of a report shows as text, and what it never shows. The API's views
# render from these (backend/api/app/views.py); the claim check counts every public word as
# known to all. Places and times are public too, rounded (geo.round_public, to the day).
PUBLIC_TEXT_FIELDS = ("title", "category", "colour", "place_name")
PRIVATE_FIELDS = ("description", "brand", "private_details", "identifier", "contact")


def derived_columns(values: Mapping[str, Any]) -> dict[str, Any]:
    """The columns kept from others (the public place and day, the identifier's key), for the
    given source values: the model's validators and bulk inserts both write them from here."""
    derived: dict[str, Any] = {}
    for name, value in values.items():
        if name in ("latitude", "longitude"):
            derived[f"public_{name}"] = round_public(value)
        elif name == "occurred_at":
            derived["occurred_on"] = None if value is None else in_utc(value).date()
        elif name == "identifier":
            derived["identifier_key"] = identifier_key(value)
        elif name == "category":
            derived["sensitive"] = typed_sensitive(value)
    return derived


DERIVED_FROM = ("latitude", "longitude", "occurred_at", "identifier", "category")

# The rows candidate retrieval reads (the partial index's predicate; queries repeat it).
MATCHABLE = "status = 'open' AND enrichment_state = 'done' AND deleted_at IS NULL"


class Item(SoftDeleteMixin, AuditLogMixin, Base):
    __tablename__ = "item"
    __table_args__ = (
        # Candidate retrieval (backend/worker/worker/retrieval.py): open, enriched reports of one
        # kind, by category group and time; on PostgreSQL the index also carries what the first
        # scoring pass reads, so thousands of candidates come from the index alone.
        Index(
            "ix_item_match",
            "kind",
            "match_group",
            "occurred_at",
            postgresql_include=["latitude", "longitude", "journey", "match_record"],
            postgresql_where=text(MATCHABLE),
            sqlite_where=text(MATCHABLE),
        ),
        # Listings near a point filter and sort on what the public sees, never on the exact place.
        Index("ix_item_public_location", "public_latitude", "public_longitude"),
        # An office's own reference for a report: a second upload of it is the same report.
        UniqueConstraint("reporter_id", "external_ref"),
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
    # The place and day as the public view shows them, kept beside the exact ones so that a
    # search filters and sorts on nothing finer than what anyone may read.
    public_latitude: Mapped[float | None] = mapped_column(Float, default=None)
    public_longitude: Mapped[float | None] = mapped_column(Float, default=None)
    occurred_on: Mapped[date | None] = mapped_column(Date, default=None, index=True)
    reporter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reporter.id"), index=True)
    # Private: shown only to the other side of an agreed match, and only if the reporter chose.
    contact: Mapped[str] = mapped_column(String(254))
    # What only the owner (or the holder) knows: an engraving, the contents, a mark. Never
    # public and never read by matching: the claim check's secret (backend/common/claims.py).
    private_details: Mapped[str] = mapped_column(Text, default="", server_default="")
    # A serial number, IMEI or frame number as typed; private. Reports with the same one are
    # compared exactly (`identifier_key`, its hash, finds them).
    identifier: Mapped[str | None] = mapped_column(String(100), default=None)
    identifier_key: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    status: Mapped[ItemStatus] = mapped_column(enum_type(ItemStatus), default=ItemStatus.OPEN)
    # An identity document or a payment card (models/desk.py): never in the public view, search
    # or listings. From the typed category when stored, then from enrichment's category.
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

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
    # The matching model that last matched it (worker scoring.MatchModel.id): after a refit,
    # the sweep matches it again, so its open suggestions carry the new model's scores.
    matched_by: Mapped[str | None] = mapped_column(String(64), default=None)
    # What the first matching pass reads (backend/common/match_record.py): the int8 embedding,
    # attribute masks, category, place, time and the photo's compact descriptor.
    match_record: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    embedding_model: Mapped[str | None] = mapped_column(String(200), default=None)
    # The category group, "" when unknown: candidates are looked up by it in `ix_item_match`.
    match_group: Mapped[str] = mapped_column(String(50), default="", server_default="")
    # Lost (or found) on a journey, a train or a bus: its place is a route, so distance does not
    # narrow its candidates (rules.is_journey; also a flag of its match record).
    journey: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # How the stored enrichment was made (rules.ENRICHMENT_VERSION: the text recipe, the record
    # layout): an older one is enriched again by the sweep.
    enrichment_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # SHA-256 of the text last embedded and of the photo whose features are stored: enrichment
    # skips a step whose input did not change (a new photo does not embed the text again).
    text_digest: Mapped[str | None] = mapped_column(String(64), default=None)
    features_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # Canonical values (backend/common/taxonomy) from what was typed, else from the text; the
    # typed `category` and `colour` are kept as written. A candidate of another category group
    # (a dog for a laptop) cannot be the same object.
    canonical_category: Mapped[str | None] = mapped_column(String(50), default=None)
    canonical_colour: Mapped[str | None] = mapped_column(String(50), default=None)
    image_features: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # Reports from an office's bulk upload: the batch, and the office's own reference.
    batch_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("batch.id"), default=None, index=True
    )
    external_ref: Mapped[str | None] = mapped_column(String(100), default=None)

    reporter: Mapped[Reporter] = relationship()
    photo: Mapped[Photo | None] = relationship(
        back_populates="item", uselist=False, cascade="all, delete-orphan", lazy="joined"
    )

    @validates(*DERIVED_FROM)
    def _keep_derived(self, name: str, value: Any) -> Any:
        for column, derived in derived_columns({name: value}).items():
            setattr(self, column, derived)
        return value

    @property
    def public_title(self) -> str:
        """The title as others see it: a sensitive report's says only what it is ("Passport"),
        never whose. (public_texts still counts the real title as known: the claim check stays
        on the safe side.)"""
        if not self.sensitive:
            return self.title
        return (self.canonical_category or self.category or "identity document").capitalize()

    def public_texts(self) -> list[str]:
        """The words of the report anyone can read (PUBLIC_TEXT_FIELDS)."""
        return [value for name in PUBLIC_TEXT_FIELDS if (value := getattr(self, name))]

    # -- transitions (what may follow what: models/enums.py) ----------------------------------

    def move_to(self, status: ItemStatus) -> None:
        """Change the report's status; TransitionRefused if `status` may not follow."""
        check_transition(STATUS_NEXT, self.status, status, "a report")
        self.status = status

    def request_enrichment(self) -> None:
        """What the item matches on changed (text, place, time, photo): enrich and match again.
        Always allowed: a new generation, so a result still being computed is not stored."""
        self.enrichment_state = EnrichmentState.PENDING
        self.enrichment_error = None
        self.enrichment_attempts = 0
        self.retry_at = None
        if inspect(self).persistent:
            # In SQL: two changes at once make two generations, whatever each one read.
            self.enrichment_generation = Item.enrichment_generation + 1
        else:
            self.enrichment_generation = (self.enrichment_generation or 0) + 1
        # Written even where the value read is the same: a job may have stored its result since
        # this row was read (SQLite has no row lock), and "pending" must win over its "done".
        for name in ("enrichment_state", "enrichment_error", "enrichment_attempts", "retry_at"):
            flag_modified(self, name)

    def fail_enrichment(self, reason: str, retry_at: datetime | None) -> None:
        """Record why enrichment failed, and when the sweep may retry (None: not at all)."""
        check_transition(
            ENRICHMENT_NEXT, self.enrichment_state, EnrichmentState.FAILED, "enrichment"
        )
        self.enrichment_state = EnrichmentState.FAILED
        self.enrichment_error = reason
        self.retry_at = retry_at

    @staticmethod
    def store_enrichment(item_id: uuid.UUID, generation: int, values: dict[str, Any]) -> Update:
        """The UPDATE storing an enrichment result: it applies only while the item is still at
        `generation` (nobody asked for a newer one) and in a state `done` may follow."""
        return (
            update(Item)
            .where(
                Item.id == item_id,
                Item.enrichment_generation == generation,
                Item.enrichment_state.in_(sources(ENRICHMENT_NEXT, EnrichmentState.DONE)),
            )
            .values(**values, enrichment_state=EnrichmentState.DONE, retry_at=None)
            .execution_options(synchronize_session=False)
        )

    @staticmethod
    def matching_done() -> Update:
        """The UPDATE recording that reports' matching is done, executed with each report's
        `matching_done_row()`: it applies only while a report is at the enrichment its matching
        read (one enriched again meanwhile is matched by its newer job, or by the sweep)."""
        table = cast(Table, Item.__table__)  # executemany: a Core UPDATE
        return (
            update(table)
            .where(
                table.c.id == bindparam("done_item"),
                table.c.enrichment_generation == bindparam("done_generation"),
            )
            .values(
                matched_generation=bindparam("done_generation"),
                matched_by=bindparam("done_model"),
            )
        )

    def matching_done_row(self, model: str) -> dict[str, Any]:
        """`model`: the id of the matching model that matched it."""
        return {
            "done_item": self.id,
            "done_generation": self.enrichment_generation,
            "done_model": model,
        }

    @staticmethod
    def retry_failed_enrichment(item_ids: list[uuid.UUID], now: datetime) -> Update:
        """The sweep's UPDATE: failed items whose retry time came are pending again (the same
        generation: it is the same request)."""
        check_transition(
            ENRICHMENT_NEXT, EnrichmentState.FAILED, EnrichmentState.PENDING, "enrichment"
        )
        return (
            update(Item)
            .where(Item.id.in_(item_ids), Item.enrichment_state == EnrichmentState.FAILED)
            .values(enrichment_state=EnrichmentState.PENDING, retry_at=None, updated_at=now)
        )

    @staticmethod
    def embedded_by_another(model: str) -> tuple[ColumnElement[bool], ...]:
        """Open, enriched reports whose vectors another embedding model made than `model`:
        not comparable with its vectors, so they are embedded again."""
        return (
            Item.enrichment_state == EnrichmentState.DONE,
            Item.status == ItemStatus.OPEN,
            Item.embedding_model.is_not(None),
            Item.embedding_model != model,
        )

    @staticmethod
    def photo_described_by_another(model_version: str) -> tuple[ColumnElement[bool], ...]:
        """Open, enriched reports whose photo's feature record another vision extraction made
        than `model_version`: vision compares only records of its own, so the photo is
        described again."""
        return (
            Item.enrichment_state == EnrichmentState.DONE,
            Item.status == ItemStatus.OPEN,
            Item.image_features["model_version"].as_string() != model_version,
        )


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
