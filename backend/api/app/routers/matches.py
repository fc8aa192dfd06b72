"""Suggested matches over HTTP: list an item's matches; each side's decisions (confirm, accept
the other side's answer, reject, share a contact); messages between the two once agreed. The
work is backend/api/app/services/matches.py; the rules are backend/common/models/match.py."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request, status

from backend.api.app.deps import (
    CallerDep,
    DatabaseRoute,
    JobsDep,
    RateLimitsDep,
    SessionDep,
    SettingsDep,
)
from backend.api.app.schemas import (
    ContactSharing,
    MatchConfirm,
    MatchOut,
    MessageCreate,
    MessageOut,
)
from backend.api.app.services import matches
from backend.api.app.views import match_view, message_view
from backend.common.taxonomy import taxonomy

router = APIRouter(tags=["matches"], route_class=DatabaseRoute)

_DECISION: dict[int | str, dict[str, Any]] = {
    409: {"description": "The match was rejected, or the step does not apply now"}
}


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
    summary="Confirm a match from your side: the finder with a proof (given once), the owner "
    "with their report's private details as the claim",
    responses=_DECISION,
)
def confirm_match(
    match_id: uuid.UUID,
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    settings: SettingsDep,
    caller: CallerDep,
    jobs: JobsDep,
    body: MatchConfirm | None = None,
) -> MatchOut:
    decision = body or MatchConfirm()
    match, side = matches.confirm(
        session, caller, match_id, decision.proof, taxonomy(settings.taxonomy_file)
    )
    background.add_task(jobs.notify, match.id)
    return match_view(match, side, request)


@router.post(
    "/matches/{match_id}/accept-proof",
    response_model=MatchOut,
    summary="Owner: accept a finder's proof the check could not verify, having read it",
    responses=_DECISION,
)
def accept_proof(
    match_id: uuid.UUID,
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    caller: CallerDep,
    jobs: JobsDep,
) -> MatchOut:
    match, side = matches.accept_proof(session, caller, match_id)
    background.add_task(jobs.notify, match.id)
    return match_view(match, side, request)


@router.post(
    "/matches/{match_id}/accept-claim",
    response_model=MatchOut,
    summary="Finder: accept an owner's claim the check could not verify, having read it",
    responses=_DECISION,
)
def accept_claim(
    match_id: uuid.UUID,
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    caller: CallerDep,
    jobs: JobsDep,
) -> MatchOut:
    match, side = matches.accept_claim(session, caller, match_id)
    background.add_task(jobs.notify, match.id)
    return match_view(match, side, request)


@router.post(
    "/matches/{match_id}/reject",
    response_model=MatchOut,
    summary="Reject a match: it is not your item",
    responses=_DECISION,
)
def reject_match(
    match_id: uuid.UUID, request: Request, session: SessionDep, caller: CallerDep
) -> MatchOut:
    match, side = matches.reject(session, caller, match_id)
    return match_view(match, side, request)


@router.put(
    "/matches/{match_id}/share-contact",
    response_model=MatchOut,
    summary="Show your contact to the other side once agreed (or stop showing it)",
    responses=_DECISION,
)
def share_contact(
    match_id: uuid.UUID,
    body: ContactSharing,
    request: Request,
    session: SessionDep,
    caller: CallerDep,
) -> MatchOut:
    match, side = matches.share_contact(session, caller, match_id, body.share)
    return match_view(match, side, request)


@router.get(
    "/matches/{match_id}/messages",
    response_model=list[MessageOut],
    summary="Messages between the two sides of a match, oldest first",
)
def list_messages(match_id: uuid.UUID, session: SessionDep, caller: CallerDep) -> list[MessageOut]:
    rows, side = matches.messages(session, caller, match_id)
    return [message_view(message, side) for message in rows]


@router.post(
    "/matches/{match_id}/messages",
    status_code=status.HTTP_201_CREATED,
    response_model=MessageOut,
    summary="Send the other side a message through the platform (once agreed); they get it by "
    "e-mail, without your address",
    responses={409: {"description": "The match is not agreed yet"}},
)
def send_message(
    match_id: uuid.UUID,
    body: MessageCreate,
    background: BackgroundTasks,
    session: SessionDep,
    caller: CallerDep,
    jobs: JobsDep,
    rate_limits: RateLimitsDep,
) -> MessageOut:
    message, side = matches.send_message(session, caller, match_id, body.text, rate_limits)
    background.add_task(jobs.notify, message.match_id)
    return message_view(message, side)
