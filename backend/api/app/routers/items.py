"""Item reports: create, read, list with filters, update, soft delete, restore, photo."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Annotated, BinaryIO

from fastapi import (
    APIRouter,
    BackgroundTasks,
    File,
    HTTPException,
    Query,
    Request,
    Response,
    UploadFile,
    status,
)
from fastapi.responses import StreamingResponse
from sqlalchemy import func, select

from backend.api.app.deps import (
    CallerDep,
    DatabaseRoute,
    JobsDep,
    OptionalCallerDep,
    PhotosDep,
    RateLimitsDep,
    SessionDep,
    SettingsDep,
)
from backend.api.app.lookups import load_item, require_owner
from backend.api.app.schemas import (
    ItemCreate,
    ItemPage,
    ItemPrivate,
    ItemPublic,
    ItemUpdate,
    PhotoOut,
)
from backend.api.app.views import (
    item_private,
    item_public,
    item_view,
    may_see_photo,
    photo_url,
)
from backend.common.db.spatial import squared_distance_km2, within_radius
from backend.common.geo import haversine_km
from backend.common.images import ImageError
from backend.common.inputs import IsoDateTime, SingleLine, as_utc
from backend.common.models import (
    Item,
    ItemKind,
    ItemStatus,
    Photo,
    TransitionRefused,
    include_deleted,
)
from backend.common.web import invalid

router = APIRouter(prefix="/items", tags=["items"], route_class=DatabaseRoute)

# Deeper than any listing a person pages through; keeps OFFSET inside a 64-bit integer.
MAX_PAGE = 100_000

# Changing these changes what the item matches, so they trigger enrichment and matching again.
_MATCHING_FIELDS = frozenset(
    {"title", "description", "category", "colour", "brand", "latitude", "longitude", "occurred_at"}
)


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
    if caller.reporter is None:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "items are reported by reporters, not the admin"
        )
    rate_limits.check(rate_limits.reports, f"reporter:{caller.reporter.id}")
    item = Item(**body.model_dump(), reporter_id=caller.reporter.id)
    item.record_change(caller.actor)
    session.add(item)
    session.commit()
    background.add_task(jobs.request_enrichment, item.id)
    return item_private(item, request)


@router.get("", response_model=ItemPage, summary="List and search reports (no contact details)")
def list_items(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    caller: OptionalCallerDep,
    kind: ItemKind | None = None,
    category: Annotated[Annotated[str, SingleLine] | None, Query(max_length=50)] = None,
    q: Annotated[
        Annotated[str, SingleLine] | None,
        Query(max_length=200, description="Words in the title (the public part of a report)"),
    ] = None,
    item_status: Annotated[ItemStatus | None, Query(alias="status")] = None,
    near_lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    near_lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
    radius_km: Annotated[float, Query(gt=0, le=500)] = 10.0,
    occurred_from: IsoDateTime | None = None,
    occurred_to: IsoDateTime | None = None,
    deleted: Annotated[bool, Query(description="Admin only: list deleted items too")] = False,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    page_size: Annotated[int | None, Query(ge=1)] = None,
) -> ItemPage:
    size = page_size or settings.default_page_size
    if size > settings.max_page_size:
        raise invalid(("query", "page_size"), f"must be at most {settings.max_page_size}")
    if (near_lat is None) != (near_lon is None):
        raise invalid(("query", "near_lon"), "near_lat and near_lon go together")
    try:
        occurred_from = as_utc(occurred_from, field="occurred_from") if occurred_from else None
        occurred_to = as_utc(occurred_to, field="occurred_to") if occurred_to else None
    except ValueError as exc:
        raise invalid(("query", "occurred_from"), str(exc)) from exc
    if occurred_from and occurred_to and occurred_from > occurred_to:
        raise invalid(("query", "occurred_from"), "occurred_from is after occurred_to")
    if deleted and (caller is None or not caller.is_admin):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only the admin may list deleted items")

    conditions = []
    if kind is not None:
        conditions.append(Item.kind == kind)
    if category:
        conditions.append(func.lower(Item.category) == category.strip().lower())
    if item_status is not None:
        conditions.append(Item.status == item_status)
    if occurred_from is not None:
        conditions.append(Item.occurred_at >= occurred_from)
    if occurred_to is not None:
        conditions.append(Item.occurred_at <= occurred_to)
    for word in (q or "").split():
        pattern = f"%{word.lower()}%"
        # Not the description: it holds the details that prove a claim (see views.py).
        conditions.append(func.lower(Item.title).like(pattern))
    if near_lat is not None and near_lon is not None:
        conditions.append(
            within_radius(Item.latitude, Item.longitude, near_lat, near_lon, radius_km)
        )

    statement = select(Item).where(*conditions)
    count = select(func.count()).select_from(Item).where(*conditions)
    if deleted:
        statement, count = include_deleted(statement), include_deleted(count)
    if near_lat is not None and near_lon is not None:
        statement = statement.order_by(
            squared_distance_km2(Item.latitude, Item.longitude, near_lat, near_lon), Item.id
        )
    else:
        statement = statement.order_by(Item.occurred_at.desc(), Item.id)
    rows = session.scalars(statement.offset((page - 1) * size).limit(size)).unique().all()
    total = session.scalar(count) or 0

    def distance(item: ItemPublic) -> float | None:
        # From the public (rounded) place: exact distances to chosen points would give it away.
        if near_lat is None or near_lon is None or item.latitude is None or item.longitude is None:
            return None
        return round(haversine_km(near_lat, near_lon, item.latitude, item.longitude), 1)

    views = [item_public(item) for item in rows]
    return ItemPage(
        items=[view.model_copy(update={"distance_km": distance(view)}) for view in views],
        total=total,
        page=page,
        page_size=size,
    )


@router.get(
    "/{item_id}",
    response_model=ItemPrivate | ItemPublic,
    summary="Read a report (its reporter also sees the contact details)",
)
def read_item(
    item_id: uuid.UUID, request: Request, session: SessionDep, caller: OptionalCallerDep
) -> ItemPublic:
    item = load_item(session, item_id, with_deleted=caller is not None and caller.is_admin)
    return item_view(item, request, caller)


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
    item = load_item(session, item_id, for_update=True)
    require_owner(item, caller)
    changes = body.model_dump(exclude_unset=True)
    changed = {name for name, value in changes.items() if getattr(item, name) != value}
    if "status" in changed:
        try:
            item.move_to(changes["status"])
        except TransitionRefused as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    for name in changed - {"status"}:
        setattr(item, name, changes[name])
    rematch = bool(changed & _MATCHING_FIELDS)
    if rematch:
        item.request_enrichment()
    if changed:
        item.record_change(caller.actor)
    session.commit()
    if rematch:
        background.add_task(jobs.request_enrichment, item.id)
    return item_view(item, request, caller)


@router.delete(
    "/{item_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete your report (soft delete: the admin can restore it)",
)
def delete_item(item_id: uuid.UUID, session: SessionDep, caller: CallerDep) -> Response:
    item = load_item(session, item_id, for_update=True)
    if not caller.is_admin:
        require_owner(item, caller)
    item.soft_delete()
    item.record_change(caller.actor)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{item_id}/restore", response_model=ItemPrivate, summary="Admin: undelete a report")
def restore_item(
    item_id: uuid.UUID, request: Request, session: SessionDep, caller: CallerDep
) -> ItemPublic:
    if not caller.is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only the admin may restore items")
    item = load_item(session, item_id, with_deleted=True, for_update=True)
    if not item.is_deleted:
        raise HTTPException(status.HTTP_409_CONFLICT, f"item {item_id} is not deleted")
    item.restore()
    item.record_change(caller.actor)
    session.commit()
    return item_view(item, request, caller)


@router.put(
    "/{item_id}/photo",
    response_model=PhotoOut,
    summary="Upload (or replace) the photo of your report: JPEG, PNG or WebP",
    responses={
        413: {"description": "Larger than MAX_PHOTO_BYTES"},
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
    file: Annotated[UploadFile, File(description="The image")],
) -> PhotoOut:
    item = load_item(session, item_id, for_update=True)
    require_owner(item, caller)
    try:
        stored = store.save(file.file)
    except ImageError as exc:
        raise HTTPException(exc.status_code, f"photo: {exc.message}") from exc
    old_file = item.photo.file_name if item.photo else None
    try:
        if item.photo is None:
            item.photo = Photo(
                file_name=stored.file_name,
                content_type=stored.content_type,
                size_bytes=stored.size_bytes,
                sha256=stored.sha256,
            )
        else:
            item.photo.file_name = stored.file_name
            item.photo.content_type = stored.content_type
            item.photo.size_bytes = stored.size_bytes
            item.photo.sha256 = stored.sha256
        item.photo.record_change(caller.actor)
        item.image_features = None
        item.request_enrichment()
        item.record_change(caller.actor)
        session.commit()
    except BaseException:
        # Nothing half-stored: the new file goes if its row did not make it.
        session.rollback()
        store.delete(stored.file_name)
        raise
    if old_file and old_file != stored.file_name:
        store.delete(old_file)
    background.add_task(jobs.request_enrichment, item.id)
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
    item_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    caller: OptionalCallerDep,
    store: PhotosDep,
) -> StreamingResponse:
    # A replacement may delete the file between reading the row and opening it: read again.
    for _attempt in range(3):
        item = load_item(session, item_id)
        if not may_see_photo(item, caller, session):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                "the photo is shown to the reporter and to the other side of a match both "
                "sides confirmed",
            )
        if item.photo is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"item {item_id} has no photo")
        handle = store.open(item.photo.file_name)
        if handle is not None:
            return StreamingResponse(
                _chunks(handle),
                media_type=item.photo.content_type,
                headers={"Cache-Control": "private, no-store"},
            )
        session.expire_all()
    raise HTTPException(status.HTTP_404_NOT_FOUND, f"item {item_id} has no photo")


def _chunks(handle: BinaryIO) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(64 * 1024):
            yield chunk
