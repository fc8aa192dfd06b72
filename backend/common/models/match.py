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

from backend.common.claims import shared_private_details
from backend.common.clock import utcnow
from backend.common.models.base import Base, enum_type
from backend.common.models.enums import (
    MATCH_NEXT,
    ItemStatus,
    MatchStatus,
    TransitionRefused,
    check_transition,
)
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

    # -- decisions (what may follow what: models/enums.py) ------------------------------------

    def confirm(self, side: str, *, proof: str | None = None, accept_proof: bool = False) -> None:
        """One side's "yes, that's it". The finder brings a proof (ProofMissing without one);
        the owner may accept a proof the claim check could not verify. Once both confirmed and
        the claim check passed, the match is confirmed and both reports are matched."""
        if self.status == MatchStatus.REJECTED:
            raise TransitionRefused("this match was rejected")
        if side == "found":
            if proof is None and self.finder_proof is None:
                raise ProofMissing(
                    "the finder confirms with a proof: describe something only the item in "
                    "hand shows (an engraving, a sticker, what is inside)"
                )
            if proof is not None:
                lost = self.lost_item
                self.finder_proof = proof
                self.proof_verified = bool(
                    shared_private_details(
                        proof,
                        private=[lost.description or "", lost.brand or "", lost.place_name or ""],
                        public=[lost.title, lost.category or "", lost.colour or ""],
                    )
                )
                self.owner_accepted_proof = False  # a new proof is judged anew
            self.found_confirmed = True
        else:
            if accept_proof:
                if self.finder_proof is None:
                    raise TransitionRefused("there is no proof from the finder to accept yet")
                self.owner_accepted_proof = True
            self.lost_confirmed = True
        if self.contacts_shared and self.status != MatchStatus.CONFIRMED:
            check_transition(MATCH_NEXT, self.status, MatchStatus.CONFIRMED, "a match")
            self.lost_item.move_to(ItemStatus.MATCHED)
            self.found_item.move_to(ItemStatus.MATCHED)
            self.status = MatchStatus.CONFIRMED
            self.decided_at = utcnow()

    def reject(self) -> None:
        """Either side's "that is not it"; final."""
        if self.status == MatchStatus.CONFIRMED:
            raise TransitionRefused("this match was already confirmed by both sides")
        check_transition(MATCH_NEXT, self.status, MatchStatus.REJECTED, "a match")
        self.status = MatchStatus.REJECTED
        self.decided_at = self.decided_at or utcnow()


class ProofMissing(ValueError):
    """The finder confirmed without a proof."""
