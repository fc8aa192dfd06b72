"""Reports: what creating, finding, changing, deleting and photographing one does. Routers turn
HTTP into these calls and their results into responses; refusals are backend/api/app/errors."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from backend.api.app.errors import Conflict, Forbidden, NotFound
from backend.api.app.paging import Page
from backend.api.app.photo_store import PhotoStore, StoredPhoto
from backend.api.app.rate_limits import RateLimits
from backend.api.app.services.access import Caller, is_owner, may_see_photo
from backend.api.app.services.trail import record_if_desk
from backend.common.clock import in_utc
from backend.common.db.spatial import squared_distance_km2, within_radius
from backend.common.models import (
    Item,
    ItemAction,
    ItemKind,
    ItemStatus,
    Photo,
    include_deleted,
)

# Changing these changes what the item matches, so they trigger enrichment and matching again.
# (Private details are never matched on: they are the claim check's secret.)
MATCHING_FIELDS = frozenset(
    {
        "title",
        "description",
        "category",
        "colour",
        "brand",
        "latitude",
        "longitude",
        "occurred_at",
        "identifier",
    }
)


def load_item(
    session: Session, item_id: uuid.UUID, *, with_deleted: bool = False, for_update: bool = False
) -> Item:
    statement = select(Item).where(Item.id == item_id)
    if with_deleted:
        statement = include_deleted(statement)
    if for_update:
        statement = statement.with_for_update(of=Item)
    item = session.scalars(statement).unique().one_or_none()
    if item is None:
        raise NotFound(f"item {item_id} not found")
    return item


def require_owner(item: Item, caller: Caller) -> None:
    if not is_owner(item, caller):
        raise Forbidden("only the reporter of this item may change it")


def create(
    session: Session, caller: Caller, fields: dict[str, Any], rate_limits: RateLimits
) -> Item:
    """A person's new report (enrichment is queued by the caller, after the response)."""
    if caller.reporter is None:
        raise Forbidden("items are reported by reporters, not the admin")
    rate_limits.check(rate_limits.reports, f"reporter:{caller.reporter.id}")
    item = Item(**fields, reporter_id=caller.reporter.acts_for)
    item.record_change(caller.actor)
    session.add(item)
    session.flush()
    record_if_desk(session, item.id, caller, ItemAction.REGISTERED, kind=item.kind.value)
    session.commit()
    return item


@dataclass(frozen=True)
class Search:
    """What a listing asks for; times are UTC (inputs.as_utc), near is (lat, lon)."""

    kind: ItemKind | None = None
    category: str | None = None
    words: str | None = None
    status: ItemStatus | None = None
    near: tuple[float, float] | None = None
    radius_km: float = 10.0
    occurred_from: datetime | None = None
    occurred_to: datetime | None = None
    deleted: bool = False


def search(
    session: Session, caller: Caller | None, query: Search, page: Page
) -> tuple[list[Item], int]:
    """One page of the reports `query` asks for (nearest first when near a point, else newest),
    and how many there are in all. Anyone but the admin searches what the public view shows:
    titles (never descriptions), the place as rounded, the day; no filter or order reads
    anything finer, so a search cannot find what the view hides."""
    admin = caller is not None and caller.is_admin
    if query.deleted and not admin:
        raise Forbidden("only the admin may list deleted items")
    latitude, longitude = (
        (Item.latitude, Item.longitude) if admin else (Item.public_latitude, Item.public_longitude)
    )
    conditions: list[ColumnElement[bool]] = []
    if query.kind is not None:
        conditions.append(Item.kind == query.kind)
    if query.category:
        conditions.append(func.lower(Item.category) == query.category.strip().lower())
    if query.status is not None:
        conditions.append(Item.status == query.status)
    if query.occurred_from is not None:
        conditions.append(
            Item.occurred_at >= query.occurred_from
            if admin
            else Item.occurred_on >= in_utc(query.occurred_from).date()
        )
    if query.occurred_to is not None:
        conditions.append(
            Item.occurred_at <= query.occurred_to
            if admin
            else Item.occurred_on <= in_utc(query.occurred_to).date()
        )
    if not admin:  # identity documents and payment cards are never public
        conditions.append(Item.sensitive.is_(False))
    for word in (query.words or "").split():
        # Not the description: it is private. `%` and `_` are letters here, not wildcards.
        conditions.append(Item.title.icontains(word, autoescape=True))
    if query.near is not None:
        lat, lon = query.near
        conditions.append(within_radius(latitude, longitude, lat, lon, query.radius_km))

    statement: Select[tuple[Item]] = select(Item).where(*conditions)
    count = select(func.count()).select_from(Item).where(*conditions)
    if query.deleted:
        statement, count = include_deleted(statement), include_deleted(count)
    if query.near is not None:
        distance = squared_distance_km2(latitude, longitude, *query.near)
        statement = statement.order_by(distance, Item.id)
    elif admin:
        statement = statement.order_by(Item.occurred_at.desc(), Item.id)
    else:
        statement = statement.order_by(Item.occurred_on.desc(), Item.id)
    rows = session.scalars(statement.offset(page.offset).limit(page.size)).unique().all()
    return list(rows), session.scalar(count) or 0


def of_reporter(session: Session, caller: Caller, page: Page) -> tuple[list[Item], int]:
    """The caller's own reports, newest first."""
    if caller.reporter is None:
        raise NotFound("the admin token has no reporter")
    mine = Item.reporter_id == caller.reporter.acts_for
    rows = session.scalars(
        select(Item)
        .where(mine)
        .order_by(Item.created_at.desc(), Item.id)
        .offset(page.offset)
        .limit(page.size)
    ).unique()
    total = session.scalar(select(func.count()).select_from(Item).where(mine)) or 0
    return list(rows), total


def read(session: Session, caller: Caller | None, item_id: uuid.UUID) -> Item:
    admin = caller is not None and caller.is_admin
    item = load_item(session, item_id, with_deleted=admin)
    if item.sensitive and not (admin or is_owner(item, caller)):
        # An identity document or a payment card: as if it did not exist, to everyone else.
        raise NotFound(f"item {item_id} not found")
    return item


def update(
    session: Session, caller: Caller, item_id: uuid.UUID, changes: dict[str, Any]
) -> tuple[Item, bool]:
    """Apply the owner's changes; and whether what the report matches on changed (enrichment
    and matching run again: the caller queues it)."""
    item = load_item(session, item_id, for_update=True)
    require_owner(item, caller)
    changed = {name for name, value in changes.items() if getattr(item, name) != value}
    if "status" in changed:
        item.move_to(changes["status"])
    for name in changed - {"status"}:
        setattr(item, name, changes[name])
    rematch = bool(changed & MATCHING_FIELDS)
    if rematch:
        item.request_enrichment()
    if changed:
        item.record_change(caller.actor)
        # Which fields, not their values: the values are on the report.
        record_if_desk(session, item.id, caller, ItemAction.UPDATED, fields=sorted(changed))
    session.commit()
    return item, rematch


def delete(session: Session, caller: Caller, item_id: uuid.UUID) -> None:
    """Soft delete: the admin can restore it."""
    item = load_item(session, item_id, for_update=True)
    if not caller.is_admin:
        require_owner(item, caller)
    item.soft_delete()
    item.record_change(caller.actor)
    session.commit()


def restore(session: Session, caller: Caller, item_id: uuid.UUID) -> Item:
    if not caller.is_admin:
        raise Forbidden("only the admin may restore items")
    item = load_item(session, item_id, with_deleted=True, for_update=True)
    if not item.is_deleted:
        raise Conflict(f"item {item_id} is not deleted")
    item.restore()
    item.record_change(caller.actor)
    session.commit()
    return item


def attach_photo(item: Item, stored: StoredPhoto, actor: str | None) -> None:
    """Make `stored` the item's photo (in the caller's transaction) and ask for enrichment:
    only the photo step runs again (the text is unchanged: backend/worker/worker/enrichment)."""
    if item.photo is None:
        item.photo = Photo(file_name=stored.file_name)
    item.photo.file_name = stored.file_name
    item.photo.content_type = stored.content_type
    item.photo.size_bytes = stored.size_bytes
    item.photo.sha256 = stored.sha256
    item.photo.record_change(actor)
    item.request_enrichment()
    item.record_change(actor)


def replace_photo(
    session: Session,
    caller: Caller,
    item_id: uuid.UUID,
    upload: BinaryIO,
    store: PhotoStore,
    rate_limits: RateLimits,
) -> tuple[Item, StoredPhoto]:
    """Check, re-encode and store the owner's photo; nothing half-stored: the new file goes if
    its row did not make it, the old one once the new row is committed. Replacements of one
    report run one at a time (the last one wins): the row is locked before the photo is read."""
    require_owner(load_item(session, item_id), caller)
    assert caller.reporter is not None
    rate_limits.check(rate_limits.photos, f"reporter:{caller.reporter.id}")
    stored = store.save(upload)  # the slow part, before any lock
    try:
        session.rollback()
        # The row lock, taken by a write as the transaction's first statement: PostgreSQL locks
        # the row, SQLite takes its write lock before reading (no stale snapshot either way).
        session.execute(
            sql_update(Item)
            .where(Item.id == item_id)
            .values(updated_at=Item.updated_at)
            .execution_options(synchronize_session=False)
        )
        item = load_item(session, item_id)
        session.refresh(item)  # the photo another upload stored just now
        old_file = item.photo.file_name if item.photo else None
        attach_photo(item, stored, caller.actor)
        record_if_desk(session, item.id, caller, ItemAction.UPDATED, fields=["photo"])
        session.commit()
    except BaseException:
        session.rollback()
        store.delete(stored.file_name)
        raise
    if old_file and old_file != stored.file_name:
        store.delete(old_file)
    return item, stored


def open_photo(
    session: Session, caller: Caller | None, item_id: uuid.UUID, store: PhotoStore
) -> tuple[BinaryIO, str]:
    """The photo's file, opened, and its content type: for the reporter, the admin and the
    other side of a match whose contacts were shared."""
    # A replacement may delete the file between reading the row and opening it: read again.
    for _attempt in range(3):
        item = load_item(session, item_id)
        if not may_see_photo(session, item, caller):
            if item.sensitive:  # as if it did not exist (read)
                raise NotFound(f"item {item_id} not found")
            raise Forbidden(
                "the photo is shown to the reporter and to the other side of a match both "
                "sides confirmed"
            )
        if item.photo is None:
            break
        handle = store.open(item.photo.file_name)
        if handle is not None:
            return handle, item.photo.content_type
        session.expire_all()
    raise NotFound(f"item {item_id} has no photo")
