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

from backend.common.claims import judge
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
    # The claim check (backend/common/claims.py, docs/threat-model.md), both ways. The owner's
    # claim is their report's private details, frozen when they confirm or when the finder's
    # proof comes, whichever is first: an owner never writes it after reading the proof. The
    # proof is given once; both answers are judged at that moment, once.
    owner_claim: Mapped[str | None] = mapped_column(Text, default=None)
    finder_proof: Mapped[str | None] = mapped_column(Text, default=None)
    proof_verified: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    claim_verified: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # What the checks could not verify, a person accepted, in a step of its own.
    owner_accepted_proof: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    finder_accepted_claim: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # Once agreed, the two talk through relayed messages; a contact is shown only if its owner
    # chose to share it.
    lost_shares_contact: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    found_shares_contact: Mapped[bool] = mapped_column(
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
    def proof_checked(self) -> bool:
        """The owner's side: the finder showed they hold the item (verified, or accepted)."""
        return self.finder_proof is not None and (self.proof_verified or self.owner_accepted_proof)

    @property
    def claim_checked(self) -> bool:
        """The finder's side: the owner showed it is theirs (verified, or accepted)."""
        return self.finder_proof is not None and (self.claim_verified or self.finder_accepted_claim)

    @property
    def agreed(self) -> bool:
        """Both said "that's it" and each side's check passed: they may now talk."""
        return self.confirmed_by_both and self.proof_checked and self.claim_checked

    def shares_contact(self, side: str) -> bool:
        return self.lost_shares_contact if side == "lost" else self.found_shares_contact

    def contact_for(self, side: str) -> str | None:
        """The other side's contact as `side` may see it: once agreed, if they chose to share."""
        other = "found" if side == "lost" else "lost"
        if not (self.agreed and self.shares_contact(other)):
            return None
        return (self.found_item if side == "lost" else self.lost_item).contact

    # -- decisions (what may follow what: models/enums.py) ------------------------------------

    def _still_open(self) -> None:
        if self.status == MatchStatus.REJECTED:
            raise TransitionRefused("this match was rejected")

    def _freeze_claim(self) -> None:
        if self.owner_claim is None:
            self.owner_claim = owner_claim_of(self.lost_item)

    def confirm_as_owner(self) -> None:
        """The owner's "yes, that's mine": their claim (the report's private details) is fixed
        from now on."""
        self._still_open()
        self._freeze_claim()
        self.lost_confirmed = True
        self._settle()

    def give_proof(self, proof: str | None, public: set[str]) -> None:
        """The finder's "yes, that's it", with a proof: one answer, judged once, with the owner's
        claim judged against what the finder knows. `public`: claims.public_terms of every
        public view involved (match_public_texts)."""
        self._still_open()
        if self.finder_proof is not None:
            if proof is not None and proof != self.finder_proof:
                raise TransitionRefused("the proof was already given; it is judged once")
        elif proof is None:
            raise ProofMissing(
                "the finder confirms with a proof: describe something only the item in "
                "hand shows (an engraving, a sticker, what is inside)"
            )
        else:
            lost, found = self.lost_item, self.found_item
            self._freeze_claim()
            self.finder_proof = proof
            self.proof_verified = judge(
                f"{proof} {found.identifier or ''}",
                secret=[self.owner_claim],
                public=public,
                identifiers=[lost.identifier],
            ).verified
            self.claim_verified = bool(self.owner_claim) and (
                judge(
                    self.owner_claim or "",
                    secret=[proof, found.private_details, found.identifier],
                    public=public,
                    identifiers=[found.identifier],
                ).verified
            )
        self.found_confirmed = True
        self._settle()

    def accept_proof(self) -> None:
        """The owner read the finder's proof the check could not verify, and accepts it."""
        self._still_open()
        if self.finder_proof is None:
            raise TransitionRefused("there is no proof from the finder to accept yet")
        self.owner_accepted_proof = True
        self.lost_confirmed = True
        self._settle()

    def accept_claim(self) -> None:
        """The finder read the owner's claim the check could not verify, and accepts it."""
        self._still_open()
        if self.finder_proof is None:
            raise TransitionRefused("give your proof first; then the owner's claim is shown")
        self.finder_accepted_claim = True
        self._settle()

    def share_contact(self, side: str, share: bool) -> None:
        """Show (or stop showing) `side`'s contact to the other side once agreed."""
        self._still_open()
        if side == "lost":
            self.lost_shares_contact = share
        else:
            self.found_shares_contact = share

    def _settle(self) -> None:
        if self.agreed and self.status != MatchStatus.CONFIRMED:
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


def owner_claim_of(item: Item) -> str:
    """What the owner claims to know of the item: its private details and identifier."""
    return " ".join(part for part in (item.private_details, item.identifier) if part).strip()


class ProofMissing(ValueError):
    """The finder confirmed without a proof."""
