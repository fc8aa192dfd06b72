"""Enriching reports in batches: one NLP call embeds and tags many texts, vision extracts each
photo's features, and each report's match record is built from the results.

A step whose input did not change is not run again: a new photo does not embed the text again
(`text_digest`: the text and the embedding model NLP serves now), a changed description does not
send the same photo to vision again (`features_sha256`).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from backend.common import match_record
from backend.common.clock import utcnow
from backend.common.contracts.vision import MODEL_VERSION as VISION_MODEL_VERSION
from backend.common.jobs import in_batches
from backend.common.models import Item
from backend.common.models.desk import is_sensitive
from backend.common.photo_similarity import descriptor_or_none
from backend.common.taxonomy import Taxonomy, taxonomy
from backend.worker.worker.clients import NlpClient, ServiceError, TextAnalysis, VisionClient
from backend.worker.worker.rules import (
    ENRICHMENT_VERSION,
    TEXT_RECIPE,
    canonical_values,
    is_journey,
    merged_attributes,
    report_text,
    unsure_group,
)
from backend.worker.worker.settings import WorkerSettings

log = logging.getLogger(__name__)


def describe(item: Item, vocabulary: Taxonomy) -> str:
    """The text that stands for the report (rules.report_text: what the person wrote plus the
    typed fields, as matching reads them)."""
    return report_text(
        item.title, item.description, item.colour, item.brand, item.category, vocabulary
    )


def digest(text: str, model: str) -> str:
    """What the stored embedding was made from: the text, the way it was made, the model."""
    return hashlib.sha256(f"{TEXT_RECIPE}\n{model}\n{text}".encode()).hexdigest()


@dataclass
class Enrichment:
    """What enriching a batch gave: column values per stored item (for Item.store_enrichment),
    and per failed item the error (transient ones are retried)."""

    values: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    failed: dict[uuid.UUID, ServiceError] = field(default_factory=dict)


def enrich(
    items: Sequence[Item], settings: WorkerSettings, nlp: NlpClient, vision: VisionClient
) -> Enrichment:
    """Enrich `items`. A failure of the NLP call for the whole batch (the service down) is
    raised; a text NLP refuses fails its own item only. A photo vision cannot read does not fail
    its report: it is matched on its text, and the item says why its photo is not used."""
    result = Enrichment()
    vocabulary = taxonomy(settings.taxonomy_file)
    notes: dict[uuid.UUID, list[str]] = {item.id: [] for item in items}
    texts: dict[uuid.UUID, str] = {}
    for item in items:
        text = describe(item, vocabulary)
        if len(text) > settings.nlp_max_chars:
            text = text[: settings.nlp_max_chars]
            notes[item.id].append(
                f"only the first {settings.nlp_max_chars} characters were used for matching"
            )
        texts[item.id] = text
    # A text embedded by another model than the one NLP serves now is embedded again.
    serving = nlp.model()
    analyses = _analyse(
        [item for item in items if not _text_unchanged(item, texts[item.id], serving)],
        texts,
        settings,
        nlp,
        result,
    )
    for item in items:
        if item.id in result.failed:
            continue
        photo = _photo_features(item, settings, vision, notes[item.id])
        if isinstance(photo, ServiceError):
            result.failed[item.id] = photo
            continue
        features, features_sha256 = photo
        analysis = analyses.get(item.id)
        if analysis is None:  # the text did not change: what it gave before stands
            attributes = item.attributes or {}
            [record] = match_record.unpack(
                [item.match_record or b""], match_record.dim_of(item.match_record or b"")
            )
            vector, model = record["vector"], serving
        else:
            attributes = merged_attributes(
                analysis.attributes,
                vocabulary,
                colour=item.colour,
                brand=item.brand,
                category=item.category,
                text=texts[item.id],
                place=item.place_name,
            )
            vector, model = match_record.quantize(analysis.vector), analysis.model
        unsure = unsure_group(attributes, item.category, vocabulary)
        canonical = canonical_values(attributes, vocabulary, unsure=unsure)
        journey = is_journey(texts[item.id])
        result.values[item.id] = {
            "match_record": match_record.pack(
                item_id=item.id,
                occurred_at=item.occurred_at,
                latitude=item.latitude,
                longitude=item.longitude,
                attributes=attributes,
                canonical_category=canonical["canonical_category"],
                vector=vector,
                descriptor=descriptor_or_none(features),
                identifier_key=item.identifier_key,
                journey=journey,
                unsure_group=unsure,
            ),
            "journey": journey,
            "enrichment_version": ENRICHMENT_VERSION,
            "embedding_model": model,
            "text_digest": digest(texts[item.id], model),
            "attributes": attributes,
            **canonical,
            "sensitive": is_sensitive(canonical["canonical_category"]),
            "image_features": features,
            "features_sha256": features_sha256,
            "enrichment_error": "; ".join(notes[item.id]) or None,
            "enriched_at": utcnow(),
        }
    return result


def _text_unchanged(item: Item, text: str, model: str) -> bool:
    return (
        bool(item.match_record)
        and item.attributes is not None
        and item.text_digest == digest(text, model)
    )


def _analyse(
    items: Sequence[Item],
    texts: dict[uuid.UUID, str],
    settings: WorkerSettings,
    nlp: NlpClient,
    result: Enrichment,
) -> dict[uuid.UUID, TextAnalysis]:
    """NLP's analysis of each item's text, in calls of at most NLP_MAX_TEXTS. A refused call
    is split text by text, so that only the text NLP refuses fails (its own item)."""
    found: dict[uuid.UUID, TextAnalysis] = {}
    for chunk in in_batches(items, settings.nlp_max_texts):
        try:
            analyses = nlp.analyze([texts[item.id] for item in chunk])
        except ServiceError as exc:
            if exc.transient:
                raise
            for item in chunk:
                try:
                    [found[item.id]] = nlp.analyze([texts[item.id]])
                except ServiceError as alone:
                    if alone.transient:
                        raise
                    result.failed[item.id] = alone
            continue
        found.update((item.id, analysis) for item, analysis in zip(chunk, analyses, strict=True))
    return found


def _photo_features(
    item: Item, settings: WorkerSettings, vision: VisionClient, notes: list[str]
) -> tuple[dict[str, Any] | None, str | None] | ServiceError:
    """(features, the photo's sha256) of the item's photo, or (None, None) without one; a
    transient vision failure is returned, to be retried."""
    photo = item.photo
    if photo is None:
        return None, None
    if (
        item.image_features
        and item.features_sha256 == photo.sha256
        and item.image_features.get("model_version") == VISION_MODEL_VERSION
    ):
        return item.image_features, photo.sha256  # the same photo, read the same way: it stands
    try:
        return vision.features(settings.photos_path / photo.file_name, photo.content_type), (
            photo.sha256
        )
    except ServiceError as exc:
        if exc.transient:
            return exc
        log.warning("item %s: photo not used: %s", item.id, exc)
        notes.append(f"the photo is not used for matching: {exc.reason}")
    except FileNotFoundError:
        notes.append("the photo is not used for matching: its file is missing")
    return None, None
