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


def enrich(item: Item, settings: WorkerSettings, nlp: NlpClient, vision: VisionClient) -> None:
    """Fill the item's enrichment results; raises ServiceError if a service call fails."""
    text = describe(item)
    embedding, model = nlp.embed(text)
    extracted = nlp.entities(text)
    features = None
    if item.photo is not None:
        photo = settings.photos_path / item.photo.file_name
        features = vision.features(photo, item.photo.content_type)
    item.text_embedding = vectors.to_bytes(embedding)
    item.embedding_model = model
    item.attributes = merged_attributes(item, extracted)
    item.image_features = features
    item.enrichment_state = EnrichmentState.DONE
    item.enrichment_error = None
    item.enriched_at = utcnow()
