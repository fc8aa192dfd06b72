"""Finding and recording matches: candidates from their match records (retrieval.py), scored in
two passes (scoring.rank), the second for a shortlist only."""

from __future__ import annotations

import logging
import math
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from backend.common import match_record
from backend.common.models import Item, ItemKind, Match, MatchStatus, Notification
from backend.worker.worker import retrieval
from backend.worker.worker.clients import ServiceError, VisionClient
from backend.worker.worker.rules import CategoryCodes, category_codes, detail_text, place_name
from backend.worker.worker.scoring import (
    Refined,
    detail_scores,
    first_pass,
    missing_as_nan,
    place_agreement,
    rank,
)
from backend.worker.worker.settings import WorkerSettings

log = logging.getLogger(__name__)

MATCH_SUGGESTED = "match_suggested"


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


def find_matches(
    session: Session, items: Sequence[Item], settings: WorkerSettings, vision: VisionClient | None
) -> dict[uuid.UUID, list[Suggestion]]:
    """Suggestions for each of `items` (enriched reports), best first; one candidate query per
    kind for all of them."""
    codes = category_codes(settings.taxonomy_file)
    found: dict[uuid.UUID, list[Suggestion]] = {item.id: [] for item in items}
    together: dict[tuple[ItemKind, int], list[tuple[Item, retrieval.Query]]] = defaultdict(list)
    for item in items:
        query = retrieval.query_of(item, codes.vocabulary)
        if query is not None:
            together[(item.kind, int(query.record["dim"]))].append((item, query))
    for batch in together.values():
        queries = [query for _, query in batch]
        pool = retrieval.candidate_records(session, queries, settings, codes.vocabulary)
        for item, query in batch:
            records = pool[retrieval.possible(query, pool, settings, codes)]
            if len(records):
                found[item.id] = _suggestions(
                    session, item, query, records, settings, codes, vision
                )
    return found


def _suggestions(
    session: Session,
    item: Item,
    query: retrieval.Query,
    records: np.ndarray,
    settings: WorkerSettings,
    codes: CategoryCodes,
    vision: VisionClient | None,
) -> list[Suggestion]:
    compatibility = codes.compatibility(item.canonical_category, records["category"])
    scoring_query, candidates = first_pass(query.record, records, compatibility)
    ids = match_record.ids(records)

    def refine(chosen: np.ndarray) -> Refined:
        return _second_pass(
            session, item, [ids[i] for i in chosen], candidates.photo_hint[chosen], settings, vision
        )

    order, parts = rank(
        scoring_query,
        candidates,
        settings.weights(),
        settings.scales(),
        settings.shortlist,
        settings.photo_shortlist,
        refine,
    )
    suggestions = []
    # Fewer, better suggestions: above the threshold and close to the best one.
    best_total = float(parts["total"][0]) if len(order) else 0.0
    floor = max(settings.match_threshold, best_total - settings.suggestion_margin)
    for rank_index, index in enumerate(order[: settings.max_suggestions]):
        total = float(parts["total"][rank_index])
        if total < floor:
            break

        def value(name: str, i: int = rank_index) -> float | None:
            v = float(parts[name][i])
            return None if math.isnan(v) else round(v, 4)

        suggestions.append(
            Suggestion(
                candidate_id=ids[int(index)],
                total=round(total, 4),
                text=value("text") or 0.0,
                image=value("image"),
                attributes=value("attributes") or 0.0,
                category=value("category"),
                details=value("details"),
                distance=value("distance") or 0.0,
                time=value("time") or 0.0,
            )
        )
    return suggestions


def _second_pass(
    session: Session,
    item: Item,
    ids: list[uuid.UUID],
    hints: np.ndarray,
    settings: WorkerSettings,
    vision: VisionClient | None,
) -> Refined:
    """For the shortlist only: identifying details, place names, and vision's check of the
    photos most alike by descriptor (the others keep their descriptor score)."""
    rows = {
        row.id: row
        for row in session.execute(
            select(Item.id, Item.title, Item.description, Item.place_name, Item.attributes).where(
                Item.id.in_(ids)
            )
        )
    }
    texts = [detail_text(rows[i].title, rows[i].description) if i in rows else "" for i in ids]
    details = detail_scores(detail_text(item.title, item.description), texts)
    mine = place_name(item.place_name, item.attributes)
    place = missing_as_nan(
        (
            place_agreement(mine, place_name(rows[i].place_name, rows[i].attributes))
            if i in rows
            else None
        )
        for i in ids
    )
    image = hints.copy()
    with_photo = np.flatnonzero(~np.isnan(hints))
    checked = with_photo[np.argsort(-hints[with_photo], kind="stable")][: settings.photo_checks]
    if vision is not None and item.image_features and len(checked):
        wanted = [ids[k] for k in checked]
        stored = session.execute(select(Item.id, Item.image_features).where(Item.id.in_(wanted)))
        features = {key: record for key, record in stored.tuples() if record}
        present = [k for k in checked if ids[k] in features]
        try:
            image[present] = vision.similarity(
                item.image_features,
                [features[ids[k]] for k in present],
                settings.vision_max_candidates,
            )
        except ServiceError as exc:
            if exc.transient:
                raise
            # Records vision refuses (an old model version): the descriptor's score stands.
            log.warning("item %s: photos not compared: %s", item.id, exc)
    return Refined(details=details, image=image, place=place)


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
        lost = session.get_one(Item, lost_id)
        notice = (
            _insert(session, Notification)
            .values(
                id=uuid.uuid4(),
                match_id=match_id,
                reporter_id=lost.reporter_id,
                kind=MATCH_SUGGESTED,
                payload={
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
