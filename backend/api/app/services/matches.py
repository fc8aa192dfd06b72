"""Suggested matches: an item's matches, each side's decisions on one (models/match.py holds the
rules: the two-sided claim check), and the messages the two sides exchange once agreed. Each
step that concerns the other side leaves a notice in the outbox, in the same transaction; the
caller queues its delivery after the commit."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from backend.api.app.errors import Conflict, Forbidden, Invalid, NotFound
from backend.api.app.rate_limits import RateLimits
from backend.api.app.services.access import Caller, is_owner
from backend.api.app.services.items import load_item
from backend.api.app.services.trail import record_if_desk
from backend.common.claims import public_terms
from backend.common.models import (
    ItemAction,
    Match,
    MatchMessage,
    Notification,
    NotificationStatus,
)
from backend.common.notices import AGREED, PROOF_GIVEN, message_kind
from backend.common.taxonomy import Taxonomy


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


def _for_decision(
    session: Session, match_id: uuid.UUID, caller: Caller, *, lock: bool = True
) -> tuple[Match, str]:
    statement = select(Match).where(Match.id == match_id)
    if lock:
        statement = statement.with_for_update(of=Match)
    match = session.scalars(statement).unique().one_or_none()
    if match is None or match.lost_item is None or match.found_item is None:
        raise NotFound(f"match {match_id} not found")
    side = match.side_of(caller.reporter.acts_for) if caller.reporter is not None else None
    if side is None:
        raise Forbidden("only the reporters of the two items may decide on a match")
    return match, side


def public_texts(session: Session, match: Match) -> list[str]:
    """Every word around the match that someone other than its two sides may know: both reports'
    public views and those of every other report matched with either (a finder's public title
    is public to a copier too), and the answers other matches of these reports showed: an
    owner's claim read by another finder, a proof read by another owner. A secret shown once to
    someone unproven proves nothing again (the copy that reads it cannot reuse it)."""
    others = session.scalars(
        select(Match).where(
            Match.id != match.id,
            or_(
                Match.lost_item_id == match.lost_item_id,
                Match.found_item_id == match.found_item_id,
            ),
        )
    ).unique()
    texts = [*match.lost_item.public_texts(), *match.found_item.public_texts()]
    for other in others:
        for item in (other.lost_item, other.found_item):
            if item is not None:
                texts += item.public_texts()
        if other.finder_proof is not None:  # both answers were shown across that match
            texts += [other.owner_claim or "", other.finder_proof]
    return texts


def notify(session: Session, match: Match, reporter_id: uuid.UUID, kind: str, **extra: Any) -> None:
    item = match.lost_item if match.lost_item.reporter_id == reporter_id else match.found_item
    session.add(
        Notification(
            match_id=match.id,
            reporter_id=reporter_id,
            kind=kind,
            payload={
                "match_id": str(match.id),
                "item_id": str(item.id),
                "title": item.title,
                **extra,
            },
            status=NotificationStatus.PENDING,
            attempts=0,
        )
    )


def _desk_step(
    session: Session, match: Match, side: str, caller: Caller, action: ItemAction, step: str
) -> None:
    """A desk's decision goes on its item's trail too."""
    item_id = match.lost_item_id if side == "lost" else match.found_item_id
    record_if_desk(session, item_id, caller, action, match_id=str(match.id), step=step)


def _after_decision(session: Session, match: Match, was_agreed: bool, caller: Caller) -> None:
    match.record_change(caller.actor)
    if match.agreed and not was_agreed:
        for reporter_id in (match.lost_item.reporter_id, match.found_item.reporter_id):
            notify(session, match, reporter_id, AGREED)
    session.commit()


def confirm(
    session: Session,
    caller: Caller,
    match_id: uuid.UUID,
    proof: str | None,
    vocabulary: Taxonomy,
) -> tuple[Match, str]:
    """One side's "yes, that's it": the owner's fixes their claim, the finder's brings the proof
    (Match.confirm_as_owner, Match.give_proof)."""
    match, side = _for_decision(session, match_id, caller)
    was_agreed = match.agreed
    if side == "lost":
        if proof is not None:
            raise Invalid(
                ("body", "proof"),
                "the owner gives no proof: your claim is your report's private details",
            )
        match.confirm_as_owner()
    else:
        first = match.finder_proof is None
        match.give_proof(proof, public_terms(public_texts(session, match), vocabulary))
        if first:
            notify(session, match, match.lost_item.reporter_id, PROOF_GIVEN)
    _desk_step(session, match, side, caller, ItemAction.MATCH_ACCEPTED, "confirm")
    _after_decision(session, match, was_agreed, caller)
    return match, side


def accept_proof(session: Session, caller: Caller, match_id: uuid.UUID) -> tuple[Match, str]:
    """The owner accepts a proof the check could not verify (a step of its own)."""
    match, side = _for_decision(session, match_id, caller)
    if side != "lost":
        raise Forbidden("only the owner (the lost report's reporter) accepts the finder's proof")
    was_agreed = match.agreed
    match.accept_proof()
    _after_decision(session, match, was_agreed, caller)
    return match, side


def accept_claim(session: Session, caller: Caller, match_id: uuid.UUID) -> tuple[Match, str]:
    """The finder accepts an owner's claim the check could not verify (a step of its own)."""
    match, side = _for_decision(session, match_id, caller)
    if side != "found":
        raise Forbidden("only the finder (the found report's reporter) accepts the owner's claim")
    was_agreed = match.agreed
    match.accept_claim()
    _desk_step(session, match, side, caller, ItemAction.MATCH_ACCEPTED, "accept_claim")
    _after_decision(session, match, was_agreed, caller)
    return match, side


def share_contact(
    session: Session, caller: Caller, match_id: uuid.UUID, share: bool
) -> tuple[Match, str]:
    match, side = _for_decision(session, match_id, caller)
    match.share_contact(side, share)
    match.record_change(caller.actor)
    session.commit()
    return match, side


def reject(session: Session, caller: Caller, match_id: uuid.UUID) -> tuple[Match, str]:
    match, side = _for_decision(session, match_id, caller)
    match.reject()
    match.record_change(caller.actor)
    _desk_step(session, match, side, caller, ItemAction.MATCH_REJECTED, "reject")
    session.commit()
    return match, side


def messages(
    session: Session, caller: Caller, match_id: uuid.UUID
) -> tuple[list[MatchMessage], str]:
    """The match's messages, oldest first, and the caller's side."""
    match, side = _for_decision(session, match_id, caller, lock=False)
    rows = session.scalars(
        select(MatchMessage)
        .where(MatchMessage.match_id == match.id)
        .order_by(MatchMessage.created_at, MatchMessage.id)
    ).all()
    return list(rows), side


def send_message(
    session: Session, caller: Caller, match_id: uuid.UUID, text: str, rate_limits: RateLimits
) -> tuple[MatchMessage, str]:
    """A message to the other side, relayed (and announced by e-mail): once agreed only."""
    match, side = _for_decision(session, match_id, caller)
    if not match.agreed:
        raise Conflict("messages open once both sides confirmed and each side's answer was checked")
    assert caller.reporter is not None
    rate_limits.check(rate_limits.messages, f"reporter:{caller.reporter.id}")
    message = MatchMessage(match_id=match.id, sender_side=side, body=text)
    session.add(message)
    session.flush()
    other = match.found_item if side == "lost" else match.lost_item
    notify(session, match, other.reporter_id, message_kind(message.id), text=text)
    session.commit()
    return message, side
