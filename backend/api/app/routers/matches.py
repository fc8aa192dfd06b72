"""Suggested matches over HTTP: list an item's matches, confirm or reject one. The work is
backend/api/app/services/matches.py."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request

from backend.api.app.deps import CallerDep, DatabaseRoute, SessionDep
from backend.api.app.schemas import MatchConfirm, MatchOut
from backend.api.app.services import matches
from backend.api.app.views import match_view

router = APIRouter(tags=["matches"], route_class=DatabaseRoute)


@router.get(
    "/items/{item_id}/matches",
    response_model=list[MatchOut],
    summary="Matches suggested for your report, best first",
)
def list_matches(
    item_id: uuid.UUID, request: Request, session: SessionDep, caller: CallerDep
) -> list[MatchOut]:
    return [
        match_view(match, side, request)
        for match, side in matches.of_item(session, caller, item_id)
    ]


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
    match, side = matches.confirm(session, caller, match_id, decision.proof, decision.accept_proof)
    return match_view(match, side, request)


@router.post(
    "/matches/{match_id}/reject",
    response_model=MatchOut,
    summary="Reject a match: it is not your item",
)
def reject_match(
    match_id: uuid.UUID, request: Request, session: SessionDep, caller: CallerDep
) -> MatchOut:
    match, side = matches.reject(session, caller, match_id)
    return match_view(match, side, request)
