"""Enriching an item: text embedding and attributes from NLP, photo features from vision."""

from __future__ import annotations

from typing import Any

from backend.common.models import EnrichmentState, Item
from backend.common.models.soft_delete import utcnow
from backend.worker.worker import vectors
from backend.worker.worker.clients import NlpClient, VisionClient
from backend.worker.worker.settings import WorkerSettings


def describe(item: Item) -> str:
    """The text that stands for the report: what the person wrote plus the structured fields."""
    parts = [item.title, item.description, item.colour, item.brand, item.category]
    return ". ".join(part.strip() for part in parts if part and part.strip())


def merged_attributes(item: Item, extracted: dict[str, list[str]]) -> dict[str, Any]:
    """Attributes the NLP found, plus what the reporter filled in (lower-cased)."""
    attributes: dict[str, Any] = {key: list(values) for key, values in extracted.items()}
    for key, given in (
        ("colours", item.colour),
        ("brands", item.brand),
        ("categories", item.category),
    ):
        if given and given.strip().lower() not in attributes.setdefault(key, []):
            attributes[key].append(given.strip().lower())
    return attributes


def enrichment_of(
    item: Item, settings: WorkerSettings, nlp: NlpClient, vision: VisionClient
) -> dict[str, Any]:
    """What enrichment learns about the item, as the column values to store (the caller stores
    them only if the item was not changed meanwhile); raises ServiceError if a call fails."""
    text = describe(item)
    embedding, model = nlp.embed(text)
    extracted = nlp.entities(text)
    features = None
    if item.photo is not None:
        photo = settings.photos_path / item.photo.file_name
        features = vision.features(photo, item.photo.content_type)
    return {
        "text_embedding": vectors.to_bytes(embedding),
        "embedding_model": model,
        "attributes": merged_attributes(item, extracted),
        "image_features": features,
        "enrichment_state": EnrichmentState.DONE,
        "enrichment_error": None,
        "enriched_at": utcnow(),
    }
