"""Recording suggestions: each (lost, found) pair once, a still-open suggestion rescored, and the
lost report's owner told of a new one through the outbox, in the same transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
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
    session: Session, found: Sequence[tuple[Item, Sequence[Suggestion]]]
) -> list[uuid.UUID]:
    """Store the suggestions of a task's reports idempotently; returns the ids of matches that
    are new, in the order of the reports and their suggestions.

    The pair is unique, so a re-run (or the other item's own matching) never duplicates a match;
    a suggestion still open gets the newer score. The lost item's reporter is told of each new
    match through the outbox, in the same transaction. A task's new pairs, rescores and notices
    are one statement each, whatever the number of reports (a match is on the path of every
    report, and a bulk upload's tasks carry 64 reports each).
    """
    pairs: dict[tuple[uuid.UUID, uuid.UUID], tuple[Suggestion, str | None]] = {}
    for item, suggestions in found:
        for suggestion in suggestions:
            pair = (
                (item.id, suggestion.candidate_id)
                if item.kind == ItemKind.LOST
                else (suggestion.candidate_id, item.id)
            )
            # Both reports of a pair in one task: the later scoring stands, as it would
            # have when each report was stored on its own.
            pairs[pair] = (suggestion, item.embedding_model)
    if not pairs:
        return []
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
                **_scores(*scored),
            }
            # In one order everywhere: two tasks writing the same pairs lock them alike.
            for (lost_id, found_id), scored in sorted(pairs.items())
        ],
    ).all()
    new = {(lost_id, found_id): match_id for match_id, lost_id, found_id in made}
    existing = sorted(pair for pair in pairs if pair not in new)
    if existing:
        # The pair exists (maybe just committed by the other side's task): a suggestion still
        # open gets the newer score; one a person decided on keeps its record.
        session.execute(
            update(cast(Table, Match.__table__))  # executemany: a Core UPDATE
            .where(
                matches.lost_item_id == bindparam("pair_lost"),
                matches.found_item_id == bindparam("pair_found"),
                matches.status == MatchStatus.SUGGESTED.value,
            )
            .values(
                updated_by="worker",
                **{name: bindparam(f"new_{name}") for name in _scores(*pairs[existing[0]])},
            ),
            [
                {
                    "pair_lost": lost_id,
                    "pair_found": found_id,
                    **{
                        f"new_{name}": value
                        for name, value in _scores(*pairs[lost_id, found_id]).items()
                    },
                }
                for lost_id, found_id in existing
            ],
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
                    "score": pairs[lost_id, found_id][0].total,
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
