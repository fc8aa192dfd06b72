"""Each item's trail: who did what to it and when, appended and never changed (models/desk.py).
Every service that acts on a desk's item writes its step here: the desk's own steps always
(`record`), a change any reporter may make when it is a desk's (`record_if_desk`)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from backend.api.app.services.access import Caller
from backend.common.clock import utcnow
from backend.common.models import ItemAction, ItemEvent


def record(
    session: Session, item_id: uuid.UUID, caller: Caller, action: ItemAction, **details: Any
) -> None:
    """Append a step to the item's trail, in the caller's transaction (who: the staff member;
    None for the admin)."""
    actor = caller.reporter.id if caller.reporter is not None else None
    session.add(
        ItemEvent(item_id=item_id, actor_id=actor, action=action, details=details, at=utcnow())
    )


def record_if_desk(
    session: Session, item_id: uuid.UUID, caller: Caller, action: ItemAction, **details: Any
) -> None:
    """`record`, when the caller is a desk's staff (or office): people's reports have no trail."""
    if caller.reporter is not None and caller.reporter.works_at_desk:
        record(session, item_id, caller, action, **details)
