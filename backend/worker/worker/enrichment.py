"""Enriching an item: text embedding and attributes from NLP, photo features from vision."""

from __future__ import annotations

import logging
from typing import Any

from backend.common.clock import utcnow
from backend.common.models import Item
from backend.common.taxonomy import taxonomy
from backend.worker.worker import vectors
from backend.worker.worker.clients import NlpClient, ServiceError, VisionClient
from backend.worker.worker.rules import canonical_values, merged_attributes
from backend.worker.worker.settings import WorkerSettings

log = logging.getLogger(__name__)


def describe(item: Item) -> str:
    """The text that stands for the report: what the person wrote plus the structured fields."""
    parts = [item.title, item.description, item.colour, item.brand, item.category]
    return ". ".join(part.strip() for part in parts if part and part.strip())


def enrichment_of(
    item: Item, settings: WorkerSettings, nlp: NlpClient, vision: VisionClient
) -> dict[str, Any]:
    """What enrichment learns about the item, as the column values to store (the caller stores
    them with Item.store_enrichment: only if the item was not changed meanwhile); raises
    ServiceError if a call fails.

    A photo vision cannot read does not fail the report: it is matched on its text, and the
    item says why its photo is not used. A transient vision failure is raised (retried).
    """
    notes = []
    text = describe(item)
    if len(text) > settings.nlp_max_chars:
        text = text[: settings.nlp_max_chars]
        notes.append(f"only the first {settings.nlp_max_chars} characters were used for matching")
    embedding, model, extracted = nlp.analyze(text)
    features = None
    if item.photo is not None:
        photo = settings.photos_path / item.photo.file_name
        try:
            features = vision.features(photo, item.photo.content_type)
        except ServiceError as exc:
            if exc.transient:
                raise
            log.warning("item %s: photo not used: %s", item.id, exc)
            notes.append(f"the photo is not used for matching: {exc.reason}")
        except FileNotFoundError:
            notes.append("the photo is not used for matching: its file is missing")
    vocabulary = taxonomy(settings.taxonomy_file)
    attributes = merged_attributes(
        extracted, vocabulary, colour=item.colour, brand=item.brand, category=item.category
    )
    return {
        "text_embedding": vectors.to_bytes(embedding),
        "embedding_model": model,
        "attributes": attributes,
        **canonical_values(attributes, vocabulary),
        "image_features": features,
        "enrichment_error": "; ".join(notes) or None,
        "enriched_at": utcnow(),
    }
