"""Turning rows into response bodies. What the caller may see is decided by the service layer's
rules (services/access.py) and the model's (`Item.PRIVATE_FIELDS`, `Match.contact_for`).

Three views of a report:
- its reporter (and the admin) see everything (`ItemPrivate`);
- the other side of an agreed match sees the description and brand too, never the private
  details or identifier (the claim check's secrets) nor the contact (that is the match's);
- everyone else sees the public view: the PUBLIC_TEXT_FIELDS, the place rounded to about a
  kilometre and the time to the day (models/item.py says which fields; docs/threat-model.md).
  An identity document or a payment card (`Item.sensitive`) is not public at all: search
  leaves it out, reading it is a 404, and a match's other side sees only what it is.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request

from backend.api.app.schemas import (
    ItemPrivate,
    ItemPublic,
    MatchOut,
    MessageOut,
    PhotoOut,
    ScoreComponents,
)
from backend.api.app.services.access import Caller, is_owner
from backend.api.app.settings import ApiSettings
from backend.common.clock import in_utc
from backend.common.geo import round_public
from backend.common.models import Item, Match, MatchMessage, MatchStatus, owner_claim_of
from backend.common.models.item import PRIVATE_FIELDS


def photo_url(item: Item, request: Request) -> str:
    # From the configured public address: a request's Host header is the caller's to choose.
    settings: ApiSettings = request.app.state.settings
    return settings.base_url + request.app.url_path_for("read_photo", item_id=str(item.id))


def _photo(item: Item, request: Request) -> PhotoOut | None:
    if item.photo is None:
        return None
    return PhotoOut(
        content_type=item.photo.content_type,
        size_bytes=item.photo.size_bytes,
        sha256=item.photo.sha256,
        url=photo_url(item, request),
    )


def _fields(item: Item) -> dict[str, Any]:
    # Column values only: the photo is rendered separately, with its URL.
    return {column.key: getattr(item, column.key) for column in Item.__table__.columns}


def _day(moment: datetime) -> datetime:
    return in_utc(moment).replace(hour=0, minute=0, second=0, microsecond=0)


def public_fields(item: Item) -> dict[str, Any]:
    """What anyone may see of a report."""
    return {
        **_fields(item),
        **dict.fromkeys(PRIVATE_FIELDS),
        "title": item.public_title,
        "latitude": round_public(item.latitude),
        "longitude": round_public(item.longitude),
        "occurred_at": _day(item.occurred_at),
        "photo": None,
    }


def item_public(item: Item, distance_km: float | None = None) -> ItemPublic:
    return ItemPublic.model_validate({**public_fields(item), "distance_km": distance_km})


def item_detailed(item: Item, request: Request) -> ItemPublic:
    """Description, brand and photo, not the secrets: for the other side of an agreed match."""
    return ItemPublic.model_validate({**_fields(item), "photo": _photo(item, request)})


def item_private(item: Item, request: Request) -> ItemPrivate:
    """Everything of a report: for its reporter and the admin."""
    proposed = (item.image_features or {}).get("colour_name") if item.photo else None
    return ItemPrivate.model_validate(
        {**_fields(item), "photo": _photo(item, request), "proposed_colour": proposed}
    )


def item_view(item: Item, request: Request, caller: Caller | None) -> ItemPublic:
    """The owner (and the admin) see the private view; everyone else the public one."""
    if is_owner(item, caller) or (caller is not None and caller.is_admin):
        return item_private(item, request)
    return item_public(item)


def awaiting(match: Match, side: str) -> str | None:
    """What stands between this match and the hand-over, in words for the side reading it. It
    never says how the other side's check went (that is not this side's to know)."""
    if match.status == MatchStatus.REJECTED or match.agreed:
        return None
    if side == "found":
        if match.finder_proof is None:
            return "your proof: something only the item in hand shows (given once)"
        if not match.claim_checked:
            return "your decision: does the owner's claim describe the item you hold?"
        return "the owner's decision"
    if not match.lost_confirmed and match.finder_proof is None:
        return "your confirmation, and the finder's proof"
    if not match.lost_confirmed:
        return "your confirmation"
    if match.finder_proof is None:
        return "the finder's proof of what only the item in hand shows"
    if not match.proof_checked:
        return (
            "your decision on the finder's proof: the check could not verify it against your "
            "private details"
        )
    return "the finder's decision"


def match_view(match: Match, side: str, request: Request) -> MatchOut:
    """The match as `side` sees it: the verdict on the other side's answer, never on its own."""
    owner = side == "lost"
    other = match.found_item if owner else match.lost_item
    proof_given = match.finder_proof is not None
    agreed = match.agreed
    if owner:  # their own claim: as fixed, or as it would be fixed now
        claim = match.owner_claim
        if claim is None:
            claim = owner_claim_of(match.lost_item)
    else:
        claim = match.owner_claim if proof_given else None
    return MatchOut(
        id=match.id,
        status=match.status,
        score=match.score,
        components=ScoreComponents(
            text=match.text_score,
            image=match.image_score,
            attributes=match.attribute_score,
            category=match.category_score,
            details=match.detail_score,
            distance=match.distance_score,
            time=match.time_score,
        ),
        your_side=side,
        your_item_id=match.lost_item_id if owner else match.found_item_id,
        you_confirmed=match.lost_confirmed if owner else match.found_confirmed,
        other_confirmed=match.found_confirmed if owner else match.lost_confirmed,
        finder_proof=match.finder_proof,
        proof_verified=match.proof_verified if owner and proof_given else None,
        owner_claim=claim,
        claim_verified=match.claim_verified if not owner and proof_given else None,
        agreed=agreed,
        awaiting=awaiting(match, side),
        you_share_contact=match.shares_contact(side),
        other_item=item_detailed(other, request) if agreed else item_public(other),
        other_contact=match.contact_for(side),
        created_at=match.created_at,
    )


def message_view(message: MatchMessage, side: str) -> MessageOut:
    return MessageOut(
        id=message.id,
        from_you=message.sender_side == side,
        text=message.body,
        created_at=message.created_at,
    )
