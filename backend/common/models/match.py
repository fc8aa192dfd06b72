"""A suggested pairing of a lost and a found item, with its score and each side's answer."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.common.models.base import Base, enum_type
from backend.common.models.enums import MatchStatus
from backend.common.models.item import Item
from backend.common.models.soft_delete import AuditLogMixin


class Match(AuditLogMixin, Base):
    __tablename__ = "match"
    __table_args__ = (UniqueConstraint("lost_item_id", "found_item_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    lost_item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("item.id"), index=True)
    found_item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("item.id"), index=True)
    score: Mapped[float] = mapped_column(Float)
    text_score: Mapped[float] = mapped_column(Float, default=0.0)
    image_score: Mapped[float | None] = mapped_column(Float, default=None)
    attribute_score: Mapped[float] = mapped_column(Float, default=0.0)
    category_score: Mapped[float | None] = mapped_column(Float, default=None)
    detail_score: Mapped[float | None] = mapped_column(Float, default=None)
    distance_score: Mapped[float] = mapped_column(Float, default=0.0)
    time_score: Mapped[float] = mapped_column(Float, default=0.0)
    status: Mapped[MatchStatus] = mapped_column(
        enum_type(MatchStatus),
        default=MatchStatus.SUGGESTED,
        index=True,
    )
    lost_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    found_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    # The claim check (docs/reliability.md): the finder describes what only the item in hand shows;
    # contacts change hands once that proof shares a detail of the owner's private description,
    # or the owner read it and accepted it.
    finder_proof: Mapped[str | None] = mapped_column(Text, default=None)
    proof_verified: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    owner_accepted_proof: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    model_version: Mapped[str | None] = mapped_column(String(100), default=None)

    lost_item: Mapped[Item] = relationship(foreign_keys=[lost_item_id], lazy="joined")
    found_item: Mapped[Item] = relationship(foreign_keys=[found_item_id], lazy="joined")

    def side_of(self, reporter_id: uuid.UUID) -> str | None:
        """ "lost" or "found": which side `reporter_id` is on, or None."""
        if self.lost_item.reporter_id == reporter_id:
            return "lost"
        if self.found_item.reporter_id == reporter_id:
            return "found"
        return None

    @property
    def confirmed_by_both(self) -> bool:
        return self.lost_confirmed and self.found_confirmed

    @property
    def claim_checked(self) -> bool:
        return self.finder_proof is not None and (self.proof_verified or self.owner_accepted_proof)

    @property
    def contacts_shared(self) -> bool:
        """Both said "that's it" and the finder's proof passed the claim check."""
        return self.confirmed_by_both and self.claim_checked
