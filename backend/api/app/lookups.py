"""Loading what a request names, with the HTTP answer when it is missing or not the caller's."""

from __future__ import annotations

import uuid

from fastapi import HTTPException, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.api.app.deps import Caller
from backend.api.app.views import is_owner
from backend.common.models import Item, include_deleted


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
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"item {item_id} not found")
    return item


def require_owner(item: Item, caller: Caller) -> None:
    if not is_owner(item, caller):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "only the reporter of this item may change it"
        )
