"""Turning rows into response bodies, deciding what the caller may see."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from backend.api.app.deps import Caller
from backend.api.app.schemas import ItemPrivate, ItemPublic, MatchOut, PhotoOut, ScoreComponents
from backend.common.models import Item, Match


def is_owner(item: Item, caller: Caller | None) -> bool:
    return (
        caller is not None
        and caller.reporter is not None
        and item.reporter_id == caller.reporter.id
    )


def _photo(item: Item, request: Request) -> PhotoOut | None:
    if item.photo is None:
        return None
    return PhotoOut(
        content_type=item.photo.content_type,
        size_bytes=item.photo.size_bytes,
        sha256=item.photo.sha256,
        url=str(request.url_for("read_photo", item_id=item.id)),
    )


def _fields(item: Item) -> dict[str, Any]:
    # Column values only: the photo is rendered separately, with its URL.
    return {column.key: getattr(item, column.key) for column in Item.__table__.columns}


def item_public(item: Item, request: Request, distance_km: float | None = None) -> ItemPublic:
    return ItemPublic.model_validate(
        {**_fields(item), "photo": _photo(item, request), "distance_km": distance_km}
    )


def item_view(item: Item, request: Request, caller: Caller | None) -> ItemPublic:
    """The owner (and the admin) see the private view; everyone else the public one."""
    if is_owner(item, caller) or (caller is not None and caller.is_admin):
        return ItemPrivate.model_validate({**_fields(item), "photo": _photo(item, request)})
    return item_public(item, request)


def match_view(match: Match, side: str, request: Request) -> MatchOut:
    other = match.found_item if side == "lost" else match.lost_item
    you_confirmed = match.lost_confirmed if side == "lost" else match.found_confirmed
    other_confirmed = match.found_confirmed if side == "lost" else match.lost_confirmed
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
        other_item=item_public(other, request),
        # Contact details change hands only when both people said "yes, that's it".
        other_contact=other.contact if match.confirmed_by_both else None,
        created_at=match.created_at,
    )
