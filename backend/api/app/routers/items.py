"""Item reports over HTTP: create, read, list with filters, update, soft delete, restore, photo.
The work is backend/api/app/services/items.py."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Annotated, BinaryIO

from fastapi import APIRouter, BackgroundTasks, File, Query, Request, Response, UploadFile, status
from fastapi.responses import StreamingResponse

from backend.api.app.deps import (
    CallerDep,
    DatabaseRoute,
    JobsDep,
    OptionalCallerDep,
    PageDep,
    PhotosDep,
    RateLimitsDep,
    SessionDep,
)
from backend.api.app.schemas import (
    ItemCreate,
    ItemPage,
    ItemPrivate,
    ItemPublic,
    ItemUpdate,
    PhotoOut,
)
from backend.api.app.services import items
from backend.api.app.views import item_private, item_public, item_view, photo_url
from backend.common.geo import haversine_km
from backend.common.inputs import IsoDateTime, SingleLine, search_bound
from backend.common.models import ItemKind, ItemStatus

router = APIRouter(prefix="/items", tags=["items"], route_class=DatabaseRoute)

_LATITUDE = r"[-+]?(?:90(?:\.0+)?|[1-8]?[0-9](?:\.[0-9]+)?)"
_LONGITUDE = r"[-+]?(?:180(?:\.0+)?|(?:1[0-7][0-9]|[1-9]?[0-9])(?:\.[0-9]+)?)"
# 'latitude,longitude': the pair (and its ranges) is the pattern, so no half of it is lost.
NEAR_PATTERN = f"^{_LATITUDE},{_LONGITUDE}$"


def point_of(near: str) -> tuple[float, float]:
    latitude, longitude = near.split(",")
    return float(latitude), float(longitude)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ItemPrivate,
    summary="Report a lost or found item",
)
def create_item(
    body: ItemCreate,
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    caller: CallerDep,
    jobs: JobsDep,
    rate_limits: RateLimitsDep,
) -> ItemPrivate:
    item = items.create(session, caller, body.model_dump(), rate_limits)
    background.add_task(jobs.request_enrichment, [item.id])
    return item_private(item, request)


@router.get("", response_model=ItemPage, summary="List and search reports (no contact details)")
def list_items(
    session: SessionDep,
    caller: OptionalCallerDep,
    page: PageDep,
    kind: ItemKind | None = None,
    category: Annotated[Annotated[str, SingleLine] | None, Query(max_length=50)] = None,
    q: Annotated[
        Annotated[str, SingleLine] | None,
        Query(
            max_length=200,
            description="Words in the title (the public part of a report), taken literally",
        ),
    ] = None,
    item_status: Annotated[ItemStatus | None, Query(alias="status")] = None,
    near: Annotated[
        str | None,
        Query(
            pattern=NEAR_PATTERN,
            description="A point, 'latitude,longitude' in degrees (52.3731,4.8926): reports "
            "within radius_km of it, nearest first (by their public, rounded place)",
        ),
    ] = None,
    radius_km: Annotated[float, Query(gt=0, le=500)] = 10.0,
    occurred_from: IsoDateTime | None = None,
    occurred_to: IsoDateTime | None = None,
    deleted: Annotated[bool, Query(description="Admin only: list deleted items too")] = False,
) -> ItemPage:
    occurred_from = search_bound(occurred_from) if occurred_from else None
    occurred_to = search_bound(occurred_to) if occurred_to else None
    point = None if near is None else point_of(near)
    search = items.Search(
        kind=kind,
        category=category,
        words=q,
        status=item_status,
        near=point,
        radius_km=radius_km,
        occurred_from=occurred_from,
        occurred_to=occurred_to,
        deleted=deleted,
    )
    rows, total = items.search(session, caller, search, page)

    def distance(item: ItemPublic) -> float | None:
        # From the public (rounded) place: exact distances to chosen points would give it away.
        if point is None or item.latitude is None or item.longitude is None:
            return None
        return round(haversine_km(point[0], point[1], item.latitude, item.longitude), 1)

    views = [item_public(item) for item in rows]
    return ItemPage(
        items=[view.model_copy(update={"distance_km": distance(view)}) for view in views],
        total=total,
        page=page.number,
        page_size=page.size,
    )


@router.get(
    "/{item_id}",
    response_model=ItemPrivate | ItemPublic,
    summary="Read a report (its reporter also sees the contact details)",
)
def read_item(
    item_id: uuid.UUID, request: Request, session: SessionDep, caller: OptionalCallerDep
) -> ItemPublic:
    return item_view(items.read(session, caller, item_id), request, caller)


@router.patch(
    "/{item_id}",
    response_model=ItemPrivate,
    summary="Change your report",
    responses={409: {"description": "A status that may not follow the current one"}},
)
def update_item(
    item_id: uuid.UUID,
    body: ItemUpdate,
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    caller: CallerDep,
    jobs: JobsDep,
) -> ItemPublic:
    item, rematch = items.update(session, caller, item_id, body.model_dump(exclude_unset=True))
    if rematch:
        background.add_task(jobs.request_enrichment, [item.id])
    return item_view(item, request, caller)


@router.delete(
    "/{item_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete your report (soft delete: the admin can restore it)",
)
def delete_item(item_id: uuid.UUID, session: SessionDep, caller: CallerDep) -> Response:
    items.delete(session, caller, item_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{item_id}/restore", response_model=ItemPrivate, summary="Admin: undelete a report")
def restore_item(
    item_id: uuid.UUID, request: Request, session: SessionDep, caller: CallerDep
) -> ItemPublic:
    return item_view(items.restore(session, caller, item_id), request, caller)


@router.put(
    "/{item_id}/photo",
    response_model=PhotoOut,
    summary="Upload (or replace) the photo of your report: JPEG, PNG or WebP",
    responses={
        413: {"description": "Larger than MAX_PHOTO_BYTES, or more pixels than allowed"},
        415: {"description": "Not a JPEG, PNG or WebP image (judged by its bytes)"},
    },
)
def upload_photo(
    item_id: uuid.UUID,
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    caller: CallerDep,
    jobs: JobsDep,
    store: PhotosDep,
    rate_limits: RateLimitsDep,
    file: Annotated[UploadFile, File(description="The image")],
) -> PhotoOut:
    item, stored = items.replace_photo(session, caller, item_id, file.file, store, rate_limits)
    background.add_task(jobs.request_enrichment, [item.id])
    return PhotoOut(
        content_type=stored.content_type,
        size_bytes=stored.size_bytes,
        sha256=stored.sha256,
        url=photo_url(item, request),
    )


@router.get(
    "/{item_id}/photo",
    response_class=StreamingResponse,
    summary="The photo of a report (its reporter's, or a confirmed match's other side)",
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}},
)
def read_photo(
    item_id: uuid.UUID, session: SessionDep, caller: OptionalCallerDep, store: PhotosDep
) -> StreamingResponse:
    handle, content_type = items.open_photo(session, caller, item_id, store)
    return StreamingResponse(
        _chunks(handle), media_type=content_type, headers={"Cache-Control": "private, no-store"}
    )


def _chunks(handle: BinaryIO) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(64 * 1024):
            yield chunk
