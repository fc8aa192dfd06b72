"""Recording suggestions: each (lost, found) pair once, a still-open suggestion rescored, and the
lost report's owner told of a new one through the outbox, in the same transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from backend.common.models import Item, ItemKind, Match, MatchStatus, Notification
from backend.common.notices import MATCH_SUGGESTED


@dataclass(frozen=True)
class Suggestion:
    candidate_id: uuid.UUID
    total: float
    text: float
    image: float | None
    attributes: float
    category: float | None
    details: float | None
    distance: float
    time: float


def _insert(session: Session, model: type[Match] | type[Notification]) -> Any:
    # INSERT ... ON CONFLICT DO NOTHING: both dialects have it, with their own constructs.
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return module.insert(model.__table__)


def record_matches(
    session: Session, item: Item, suggestions: list[Suggestion], model_version: str | None
) -> list[uuid.UUID]:
    """Store suggestions idempotently; returns the ids of matches that are new.

    The pair is unique, so a re-run (or the other item's own matching) never duplicates a match;
    a suggestion still open gets the newer score. The lost item's reporter is told of each new
    match through the outbox, in the same transaction.
    """
    created = []
    for suggestion in suggestions:
        lost_id, found_id = (
            (item.id, suggestion.candidate_id)
            if item.kind == ItemKind.LOST
            else (suggestion.candidate_id, item.id)
        )
        values = {
            "score": suggestion.total,
            "text_score": suggestion.text,
            "image_score": suggestion.image,
            "attribute_score": suggestion.attributes,
            "category_score": suggestion.category,
            "detail_score": suggestion.details,
            "distance_score": suggestion.distance,
            "time_score": suggestion.time,
            "model_version": model_version,
        }
        # ON CONFLICT DO NOTHING ... RETURNING: the id only when this call made the row (the
        # driver's rowcount is -1 here on PostgreSQL, which once read as "inserted").
        statement = (
            _insert(session, Match)
            .values(
                id=uuid.uuid4(),
                lost_item_id=lost_id,
                found_item_id=found_id,
                status=MatchStatus.SUGGESTED.value,
                lost_confirmed=False,
                found_confirmed=False,
                created_by="worker",
                updated_by="worker",
                **values,
            )
            .on_conflict_do_nothing(index_elements=["lost_item_id", "found_item_id"])
            .returning(Match.__table__.c.id)
        )
        match_id = session.execute(statement).scalar_one_or_none()
        if match_id is None:
            # The pair exists (maybe just committed by the other side's task): a suggestion
            # still open gets the newer score; one a person decided on keeps its record.
            session.execute(
                update(Match)
                .where(
                    Match.lost_item_id == lost_id,
                    Match.found_item_id == found_id,
                    Match.status == MatchStatus.SUGGESTED,
                )
                .values(updated_by="worker", **values)
                .execution_options(synchronize_session=False)
            )
            continue
        created.append(match_id)
        lost = session.execute(select(Item.reporter_id, Item.title).where(Item.id == lost_id)).one()
        notice = (
            _insert(session, Notification)
            .values(
                id=uuid.uuid4(),
                match_id=match_id,
                reporter_id=lost.reporter_id,
                kind=MATCH_SUGGESTED,
                payload={
                    "item_id": str(lost_id),
                    "match_id": str(match_id),
                    "lost_item_id": str(lost_id),
                    "found_item_id": str(found_id),
                    "title": lost.title,
                    "score": suggestion.total,
                },
                status="pending",
                attempts=0,
                created_by="worker",
                updated_by="worker",
            )
            .on_conflict_do_nothing(index_elements=["match_id", "reporter_id", "kind"])
        )
        session.execute(notice)
    return created
