"""Suggested matches: list an item's matches, confirm or reject one."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, HTTPException, Request, status
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from backend.api.app.deps import Caller, CallerDep, DatabaseRoute, SessionDep
from backend.api.app.lookups import load_item
from backend.api.app.schemas import MatchConfirm, MatchOut
from backend.api.app.views import is_owner, match_view
from backend.common.models import Match, TransitionRefused
from backend.common.models.match import ProofMissing
from backend.common.web import invalid

router = APIRouter(tags=["matches"], route_class=DatabaseRoute)


@router.get(
    "/items/{item_id}/matches",
    response_model=list[MatchOut],
    summary="Matches suggested for your report, best first",
)
def list_matches(
    item_id: uuid.UUID, request: Request, session: SessionDep, caller: CallerDep
) -> list[MatchOut]:
    item = load_item(session, item_id)
    if not (is_owner(item, caller) or caller.is_admin):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "only the reporter of this item sees its matches"
        )
    matches = (
        session.scalars(
            select(Match)
            .where(or_(Match.lost_item_id == item.id, Match.found_item_id == item.id))
            .order_by(Match.score.desc(), Match.id)
        )
        .unique()
        .all()
    )
    views = []
    for match in matches:
        side = "lost" if match.lost_item_id == item.id else "found"
        other = match.found_item if side == "lost" else match.lost_item
        if other is None:  # the other report was deleted
            continue
        views.append(match_view(match, side, request))
    return views


def _load_for_decision(session: Session, match_id: uuid.UUID, caller: Caller) -> tuple[Match, str]:
    match = (
        session.scalars(select(Match).where(Match.id == match_id).with_for_update(of=Match))
        .unique()
        .one_or_none()
    )
    if match is None or match.lost_item is None or match.found_item is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"match {match_id} not found")
    side = match.side_of(caller.reporter.id) if caller.reporter is not None else None
    if side is None:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "only the reporters of the two items may decide on a match"
        )
    return match, side


@router.post(
    "/matches/{match_id}/confirm",
    response_model=MatchOut,
    summary="Confirm a match from your side; contacts are shared once both sides confirmed "
    "and the finder's proof passed the claim check",
)
def confirm_match(
    match_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    caller: CallerDep,
    body: MatchConfirm | None = None,
) -> MatchOut:
    decision = body or MatchConfirm()
    match, side = _load_for_decision(session, match_id, caller)
    try:
        match.confirm(side, proof=decision.proof, accept_proof=decision.accept_proof)
    except ProofMissing as exc:
        raise invalid(("body", "proof"), str(exc)) from exc
    except TransitionRefused as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    match.record_change(caller.actor)
    session.commit()
    return match_view(match, side, request)


@router.post(
    "/matches/{match_id}/reject",
    response_model=MatchOut,
    summary="Reject a match: it is not your item",
)
def reject_match(
    match_id: uuid.UUID, request: Request, session: SessionDep, caller: CallerDep
) -> MatchOut:
    match, side = _load_for_decision(session, match_id, caller)
    try:
        match.reject()
    except TransitionRefused as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    match.record_change(caller.actor)
    session.commit()
    return match_view(match, side, request)
