"""Suggested matches: an item's matches, and each side's decision on one."""

from __future__ import annotations

import uuid

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from backend.api.app.deps import Caller
from backend.api.app.errors import Forbidden, NotFound
from backend.api.app.services.items import load_item
from backend.api.app.views import is_owner
from backend.common.models import Match


def of_item(session: Session, caller: Caller, item_id: uuid.UUID) -> list[tuple[Match, str]]:
    """The item's matches, best first, each with the side the item is on ("lost", "found");
    matches whose other report was deleted are left out."""
    item = load_item(session, item_id)
    if not (is_owner(item, caller) or caller.is_admin):
        raise Forbidden("only the reporter of this item sees its matches")
    matches = session.scalars(
        select(Match)
        .where(or_(Match.lost_item_id == item.id, Match.found_item_id == item.id))
        .order_by(Match.score.desc(), Match.id)
    ).unique()
    found = []
    for match in matches:
        side = "lost" if match.lost_item_id == item.id else "found"
        other = match.found_item if side == "lost" else match.lost_item
        if other is not None:
            found.append((match, side))
    return found


def _for_decision(session: Session, match_id: uuid.UUID, caller: Caller) -> tuple[Match, str]:
    match = (
        session.scalars(select(Match).where(Match.id == match_id).with_for_update(of=Match))
        .unique()
        .one_or_none()
    )
    if match is None or match.lost_item is None or match.found_item is None:
        raise NotFound(f"match {match_id} not found")
    side = match.side_of(caller.reporter.id) if caller.reporter is not None else None
    if side is None:
        raise Forbidden("only the reporters of the two items may decide on a match")
    return match, side


def confirm(
    session: Session,
    caller: Caller,
    match_id: uuid.UUID,
    proof: str | None,
    accept_proof: bool,
) -> tuple[Match, str]:
    """One side's "yes, that's it" (Match.confirm: the claim check)."""
    match, side = _for_decision(session, match_id, caller)
    match.confirm(side, proof=proof, accept_proof=accept_proof)
    match.record_change(caller.actor)
    session.commit()
    return match, side


def reject(session: Session, caller: Caller, match_id: uuid.UUID) -> tuple[Match, str]:
    match, side = _for_decision(session, match_id, caller)
    match.reject()
    match.record_change(caller.actor)
    session.commit()
    return match, side
