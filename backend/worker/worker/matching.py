"""Finding matches: candidates from their match records (retrieval.py), scored in two passes
(scoring.shortlist, then scoring.finish), the second for a shortlist only. Recording them is
match_store.py."""

from __future__ import annotations

import logging
import math
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.common import match_record
from backend.common.models import Item, ItemKind
from backend.common.taxonomy import Taxonomy
from backend.worker.worker import metrics, retrieval
from backend.worker.worker.clients import ServiceError, VisionClient
from backend.worker.worker.details import place_agreement
from backend.worker.worker.match_store import Suggestion
from backend.worker.worker.rules import (
    CategoryCodes,
    attribute_terms,
    category_codes,
    detail_text,
    details_of_held,
    held_colours,
    holdings,
    place_names,
)
from backend.worker.worker.scoring import (
    Candidates,
    Probe,
    Refined,
    components,
    finish,
    first_pass,
    missing_as_nan,
    photos_to_check,
    shortlist,
    suggested,
)
from backend.worker.worker.settings import WorkerSettings

log = logging.getLogger(__name__)


def find_matches(
    session: Session, items: Sequence[Item], settings: WorkerSettings, vision: VisionClient | None
) -> dict[uuid.UUID, list[Suggestion]]:
    """Suggestions for each of `items` (enriched reports), best first: one candidate query per
    neighbourhood of them (retrieval.neighbourhoods), one query for all their shortlists'
    rows."""
    codes = category_codes(settings.taxonomy_file)
    found: dict[uuid.UUID, list[Suggestion]] = {item.id: [] for item in items}
    together: dict[tuple[ItemKind, int], list[tuple[Item, retrieval.Query]]] = defaultdict(list)
    for item in items:
        query = retrieval.query_of(item, codes.vocabulary)
        if query is not None:
            together[(item.kind, int(query.record["dim"]))].append((item, query))
    plans: list[_Plan] = []
    by_id = {item.id: item for item in items}
    for batch in together.values():
        for neighbours in retrieval.neighbourhoods([query for _, query in batch], settings):
            plans += _first_passes(session, neighbours, by_id, settings, codes)
    texts = _shortlisted_rows(session, {key for plan in plans for key in plan.ids})
    model, scales = settings.model(), settings.scales()
    for plan in plans:
        refined = _second_pass(session, plan, texts, settings, vision, codes.vocabulary)
        order, parts = finish(plan.query, plan.candidates, plan.chosen, refined, model, scales)
        found[plan.item.id] = _suggestions([plan.ids[k] for k in order], parts, settings)
    return found


def _first_passes(
    session: Session,
    neighbours: list[retrieval.Query],
    items: dict[uuid.UUID, Item],
    settings: WorkerSettings,
    codes: CategoryCodes,
) -> list[_Plan]:
    """The first pass of neighbouring reports, over one candidate query's records."""
    pool = retrieval.candidate_records(session, neighbours, settings, codes.vocabulary)
    if not len(pool):
        for _ in neighbours:
            metrics.MATCH_CANDIDATES.observe(0)
        return []
    possible = [np.flatnonzero(retrieval.possible(q, pool, settings, codes)) for q in neighbours]
    # The text cosines of every neighbour with every record that is a candidate of any of them,
    # in one matrix product (not each report's candidates' vectors gathered and multiplied).
    wanted = np.unique(np.concatenate(possible))
    cosines = (
        match_record.unit_vectors(pool["vector"][wanted])
        @ match_record.unit_vectors(np.stack([query.record["vector"] for query in neighbours])).T
    )
    plans = []
    model, scales = settings.model(), settings.scales()
    for column, (query, rows) in enumerate(zip(neighbours, possible, strict=True)):
        item = items[query.item_id]
        metrics.MATCH_CANDIDATES.observe(len(rows))
        if not len(rows):
            continue
        records = pool[rows]
        compatibility = codes.compatibility(query.record, records)
        text = cosines[np.searchsorted(wanted, rows), column]
        probe, candidates = first_pass(query.record, records, compatibility, codes, text)
        chosen = shortlist(
            probe, candidates, model, scales, settings.shortlist, settings.photo_shortlist
        )
        ids = match_record.ids(records[chosen])
        categories = (
            codes.named([query.record["category"]])[0],
            codes.named(records["category"][chosen]),
        )
        plans.append(_Plan(item, probe, candidates, ids, chosen, categories))
    return plans


@dataclass(frozen=True)
class _Plan:
    """One report between the passes: its candidates, and the shortlist (`chosen` indices into
    them, `ids` their reports in the same order)."""

    item: Item
    query: Probe
    candidates: Candidates
    ids: list[uuid.UUID]
    chosen: np.ndarray
    categories: tuple[str | None, list[str | None]]  # its own and the shortlist's


def _shortlisted_rows(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, Any]:
    """What the second pass reads of every shortlisted report, in one query (on the session's
    connection, as retrieval reads match records: plain columns need none of the ORM's
    loading)."""
    if not ids:
        return {}
    columns = select(Item.id, Item.title, Item.description, Item.place_name, Item.attributes)
    shortlisted = columns.where(Item.id.in_(list(ids)), Item.deleted_at.is_(None))
    return {row.id: row for row in session.connection().execute(shortlisted).all()}


def _suggestions(
    ordered: list[uuid.UUID], parts: dict[str, np.ndarray], settings: WorkerSettings
) -> list[Suggestion]:
    """What people are shown (scoring.suggested: the calibrated threshold, the margin below
    the best, at most MAX_SUGGESTIONS), each with its components in words' terms."""
    count = suggested(parts["total"], settings.model(), settings.max_suggestions)
    shown = components(parts)
    suggestions = []
    for rank_index, candidate_id in enumerate(ordered[:count]):

        def value(name: str, i: int = rank_index) -> float | None:
            v = float(shown[name][i])
            return None if math.isnan(v) else round(v, 4)

        suggestions.append(
            Suggestion(
                candidate_id=candidate_id,
                total=round(float(parts["total"][rank_index]), 4),
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
    plan: _Plan,
    rows: dict[uuid.UUID, Any],
    settings: WorkerSettings,
    vision: VisionClient | None,
    vocabulary: Taxonomy,
) -> Refined:
    """For the shortlist only: identifying details (rare words shared, in the texts as matching
    reads them, a misspelling one letter off counting), place names, and vision's check of the
    photos it picks (scoring.photos_to_check; the others keep their descriptor score)."""
    item, ids = plan.item, plan.ids
    texts = [
        detail_text(rows[i].title, rows[i].description, vocabulary) if i in rows else ""
        for i in ids
    ]
    own = detail_text(item.title, item.description, vocabulary)
    # Only a journey's text is read for its ends: enrichment flagged which reports are.
    mine = place_names(item.place_name, item.attributes, own if item.journey else "")
    travelled = plan.candidates.journey[plan.chosen]
    place = missing_as_nan(
        (
            place_agreement(
                mine, place_names(rows[i].place_name, rows[i].attributes, text if trip else "")
            )
            if i in rows
            else None
        )
        for i, text, trip in zip(ids, texts, travelled, strict=True)
    )
    hints = plan.candidates.photo_hint[plan.chosen]
    image = hints.copy()
    checked = photos_to_check(hints, settings.photo_checks)
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
    held = holdings(
        own, texts, plan.categories, plan.candidates.contents[plan.chosen] == 1, vocabulary
    )
    details = details_of_held(own, texts, attribute_terms(item.attributes or {}, vocabulary), held)
    colours, holder = held_colours(held, vocabulary)
    return Refined(details, image, place, held_colours=colours, holder_is_probe=holder)
