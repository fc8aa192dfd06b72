"""Finding and recording matches: candidates filtered in SQL, scored in one numpy pass."""

from __future__ import annotations

import logging
import math
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Select, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from backend.common.clock import in_utc
from backend.common.geo import bounding_box
from backend.common.models import (
    EnrichmentState,
    Item,
    ItemKind,
    ItemStatus,
    Match,
    MatchStatus,
    Notification,
)
from backend.common.taxonomy import taxonomy
from backend.worker.worker import vectors
from backend.worker.worker.clients import ServiceError, VisionClient
from backend.worker.worker.rules import detail_text, place_name, time_window
from backend.worker.worker.scoring import (
    Candidates,
    Query,
    attribute_masks,
    missing_as_nan,
    place_agreement,
    rank,
)
from backend.worker.worker.settings import WorkerSettings

log = logging.getLogger(__name__)

MATCH_SUGGESTED = "match_suggested"


def days(moment: datetime) -> float:
    return in_utc(moment).timestamp() / 86400.0


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


def candidate_query(item: Item, settings: WorkerSettings) -> Select[tuple[Item]]:
    """Open, enriched, not deleted items of the other kind that could be the same object: in the
    time window, near (or of unknown place), and not of another category group (a dog is never
    a laptop). Everything else is a score, not a filter."""
    conditions = [
        Item.kind == item.kind.other,
        Item.status == ItemStatus.OPEN,
        Item.enrichment_state == EnrichmentState.DONE,
        Item.text_embedding.is_not(None),
        Item.occurred_at.between(
            *time_window(
                item.kind == ItemKind.LOST,
                item.occurred_at,
                settings.match_days_after_loss,
                settings.match_days_before_loss,
            )
        ),
        Item.id != item.id,
    ]
    if item.category_group:  # rules.same_group_possible, in SQL
        conditions.append(
            or_(Item.category_group.is_(None), Item.category_group == item.category_group)
        )
    if item.latitude is not None and item.longitude is not None:
        dlat, dlon = bounding_box(item.latitude, settings.max_distance_km)
        conditions.append(
            or_(
                Item.latitude.is_(None),
                Item.latitude.between(item.latitude - dlat, item.latitude + dlat)
                & Item.longitude.between(item.longitude - dlon, item.longitude + dlon),
            )
        )
    return select(Item).where(*conditions)


def find_matches(
    session: Session, item: Item, settings: WorkerSettings, vision: VisionClient | None
) -> list[Suggestion]:
    if item.text_embedding is None:
        return []
    candidates = session.scalars(candidate_query(item, settings)).unique().all()
    if not candidates:
        return []
    query_vector = vectors.from_bytes(item.text_embedding)
    dim = len(query_vector)
    candidates = [c for c in candidates if c.text_embedding and len(c.text_embedding) == dim * 4]

    image = np.full(len(candidates), np.nan)
    if vision is not None and item.image_features:
        with_photo = [i for i, c in enumerate(candidates) if c.image_features]
        if with_photo:
            try:
                image[with_photo] = vision.similarity(
                    item.image_features,
                    [candidates[i].image_features or {} for i in with_photo],
                    settings.vision_max_candidates,
                )
            except ServiceError as exc:
                if exc.transient:
                    raise
                # Records vision refuses (an old model version): match without photos.
                log.warning("item %s: photos not compared: %s", item.id, exc)

    vocabulary = taxonomy(settings.taxonomy_file)
    mine = place_name(item.place_name, item.attributes)
    table = Candidates(
        embeddings=vectors.stack([c.text_embedding or b"" for c in candidates], dim),
        masks=np.array([attribute_masks(c.attributes) for c in candidates], dtype=np.int64),
        latitude=missing_as_nan(c.latitude for c in candidates),
        longitude=missing_as_nan(c.longitude for c in candidates),
        occurred_days=np.array([days(c.occurred_at) for c in candidates]),
        image=image,
        category=missing_as_nan(
            vocabulary.category_compatibility(item.canonical_category, c.canonical_category)
            for c in candidates
        ),
        place=missing_as_nan(
            place_agreement(mine, place_name(c.place_name, c.attributes)) for c in candidates
        ),
    )
    query = Query(
        embedding=query_vector,
        masks=attribute_masks(item.attributes),
        latitude=item.latitude,
        longitude=item.longitude,
        occurred_days=days(item.occurred_at),
    )
    order, parts = rank(
        query,
        table,
        settings.weights(),
        settings.scales(),
        detail_text(item.title, item.description),
        lambda i: detail_text(candidates[i].title, candidates[i].description),
        settings.detail_candidates,
    )

    suggestions = []
    # Fewer, better suggestions: above the threshold and close to the best one.
    best_total = float(parts["total"][order[0]]) if len(order) else 0.0
    floor = max(settings.match_threshold, best_total - settings.suggestion_margin)
    for index in order[: settings.max_suggestions]:
        total = float(parts["total"][index])
        if total < floor:
            break

        def value(name: str, i: int = int(index)) -> float | None:
            v = float(parts[name][i])
            return None if math.isnan(v) else round(v, 4)

        suggestions.append(
            Suggestion(
                candidate_id=candidates[index].id,
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
