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
    """Store suggestions idempotently; returns the ids of matches that are new, in the order of
    the suggestions.

    The pair is unique, so a re-run (or the other item's own matching) never duplicates a match;
    a suggestion still open gets the newer score. The lost item's reporter is told of each new
    match through the outbox, in the same transaction. New pairs and their notices are written
    one statement each for all suggestions (a match is on the path of every report).
    """
    if not suggestions:
        return []
    pairs = {
        (
            (item.id, suggestion.candidate_id)
            if item.kind == ItemKind.LOST
            else (suggestion.candidate_id, item.id)
        ): suggestion
        for suggestion in suggestions
    }
    matches = Match.__table__.c
    # ON CONFLICT DO NOTHING ... RETURNING: the rows this call made, and only those (the
    # driver's rowcount is -1 here on PostgreSQL, which once read as "inserted").
    made = session.execute(
        _insert(session, Match)
        .on_conflict_do_nothing(index_elements=["lost_item_id", "found_item_id"])
        .returning(matches.id, matches.lost_item_id, matches.found_item_id),
        [
            {
                "id": uuid.uuid4(),
                "lost_item_id": lost_id,
                "found_item_id": found_id,
                "status": MatchStatus.SUGGESTED.value,
                "lost_confirmed": False,
                "found_confirmed": False,
                "created_by": "worker",
                "updated_by": "worker",
                **_scores(suggestion, model_version),
            }
            # In one order everywhere: two tasks writing the same pairs lock them alike.
            for (lost_id, found_id), suggestion in sorted(pairs.items())
        ],
    ).all()
    new = {(lost_id, found_id): match_id for match_id, lost_id, found_id in made}
    for (lost_id, found_id), suggestion in pairs.items():
        if (lost_id, found_id) in new:
            continue
        # The pair exists (maybe just committed by the other side's task): a suggestion still
        # open gets the newer score; one a person decided on keeps its record.
        session.execute(
            update(Match)
            .where(
                Match.lost_item_id == lost_id,
                Match.found_item_id == found_id,
                Match.status == MatchStatus.SUGGESTED,
            )
            .values(updated_by="worker", **_scores(suggestion, model_version))
            .execution_options(synchronize_session=False)
        )
    if not new:
        return []
    owners = {
        lost_id: (reporter_id, title)
        for lost_id, reporter_id, title in session.execute(
            select(Item.id, Item.reporter_id, Item.title).where(
                Item.id.in_({lost_id for lost_id, _ in new})
            )
        ).tuples()
    }
    session.execute(
        _insert(session, Notification).on_conflict_do_nothing(
            index_elements=["match_id", "reporter_id", "kind"]
        ),
        [
            {
                "id": uuid.uuid4(),
                "match_id": match_id,
                "reporter_id": owners[lost_id][0],
                "kind": MATCH_SUGGESTED,
                "payload": {
                    "item_id": str(lost_id),
                    "match_id": str(match_id),
                    "lost_item_id": str(lost_id),
                    "found_item_id": str(found_id),
                    "title": owners[lost_id][1],
                    "score": pairs[lost_id, found_id].total,
                },
                "status": "pending",
                "attempts": 0,
                "created_by": "worker",
                "updated_by": "worker",
            }
            for (lost_id, found_id), match_id in new.items()
        ],
    )
    return [new[pair] for pair in pairs if pair in new]


def _scores(suggestion: Suggestion, model_version: str | None) -> dict[str, Any]:
    return {
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
