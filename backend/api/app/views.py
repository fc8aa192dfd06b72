"""Turning rows into response bodies, deciding what the caller may see.

Three views of a report:
- its reporter (and the admin) see everything (`ItemPrivate`);
- the other side of a match whose contacts were shared sees every detail but the contact
  fields of the report (the contact comes with the match);
- everyone else sees the public view: no description, brand or photo, the place rounded to
  about a kilometre and the time to the day. What proves a claim stays out of sight, so a copy
  of a public report cannot pass the claim check (backend/common/claims.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from backend.api.app.deps import Caller
from backend.api.app.schemas import ItemPrivate, ItemPublic, MatchOut, PhotoOut, ScoreComponents
from backend.api.app.settings import ApiSettings
from backend.common.clock import in_utc
from backend.common.models import Item, Match, MatchStatus

PUBLIC_DEGREES = 2  # decimals of latitude/longitude in the public view: about 1.1 km


def is_owner(item: Item, caller: Caller | None) -> bool:
    return (
        caller is not None
        and caller.reporter is not None
        and item.reporter_id == caller.reporter.id
    )


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


def _coarse(value: float | None) -> float | None:
    return None if value is None else round(value, PUBLIC_DEGREES)


def _day(moment: datetime) -> datetime:
    return in_utc(moment).replace(hour=0, minute=0, second=0, microsecond=0)


def public_fields(item: Item) -> dict[str, Any]:
    """What anyone may see of a report."""
    return {
        **_fields(item),
        "description": None,
        "brand": None,
        "latitude": _coarse(item.latitude),
        "longitude": _coarse(item.longitude),
        "occurred_at": _day(item.occurred_at),
        "photo": None,
    }


def item_public(item: Item, distance_km: float | None = None) -> ItemPublic:
    return ItemPublic.model_validate({**public_fields(item), "distance_km": distance_km})


def item_detailed(item: Item, request: Request) -> ItemPublic:
    """Every detail but the contact: for the other side of a match whose contacts were shared."""
    return ItemPublic.model_validate({**_fields(item), "photo": _photo(item, request)})


def item_private(item: Item, request: Request) -> ItemPrivate:
    """Everything of a report: for its reporter and the admin."""
    return ItemPrivate.model_validate({**_fields(item), "photo": _photo(item, request)})


def item_view(item: Item, request: Request, caller: Caller | None) -> ItemPublic:
    """The owner (and the admin) see the private view; everyone else the public one."""
    if is_owner(item, caller) or (caller is not None and caller.is_admin):
        return item_private(item, request)
    return item_public(item)


def may_see_photo(item: Item, caller: Caller | None, session: Session) -> bool:
    """The reporter, the admin, and the other side of a match whose contacts were shared."""
    if caller is None:
        return False
    if caller.is_admin or is_owner(item, caller):
        return True
    assert caller.reporter is not None
    matches = session.scalars(
        select(Match).where(
            or_(Match.lost_item_id == item.id, Match.found_item_id == item.id),
            Match.status == MatchStatus.CONFIRMED,
        )
    ).unique()
    return any(
        match.contacts_shared and match.side_of(caller.reporter.id) is not None for match in matches
    )


def awaiting(match: Match) -> str | None:
    """What stands between this match and the exchange of contacts, in words for the people."""
    if match.status == MatchStatus.REJECTED:
        return None
    if match.finder_proof is None:
        return "the finder's confirmation, with a proof of what only the item in hand shows"
    if not match.lost_confirmed:
        return "the owner's confirmation"
    if not match.claim_checked:
        return "the owner accepting the finder's proof (it names no detail of the description)"
    return None


def match_view(match: Match, side: str, request: Request) -> MatchOut:
    other = match.found_item if side == "lost" else match.lost_item
    you_confirmed = match.lost_confirmed if side == "lost" else match.found_confirmed
    other_confirmed = match.found_confirmed if side == "lost" else match.lost_confirmed
    shared = match.contacts_shared
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
        you_confirmed=you_confirmed,
        other_confirmed=other_confirmed,
        # The owner reads the finder's proof to judge it; the finder wrote it.
        finder_proof=match.finder_proof,
        proof_verified=match.proof_verified,
        awaiting=awaiting(match),
        other_item=item_detailed(other, request) if shared else item_public(other),
        # Contact details change hands only when both people said "yes, that's it" and the
        # finder's proof passed the claim check.
        other_contact=other.contact if shared else None,
        created_at=match.created_at,
    )
