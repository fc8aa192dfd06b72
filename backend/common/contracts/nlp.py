"""The NLP service's API: POST /embed, POST /entities, and POST /analyze (both in one call: what
the worker uses for a report); GET /model, which vectors it gives now."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from backend.common.inputs import MultiLine
from backend.common.limits import MAX_REPORT_TEXT_CHARS, MAX_TEXTS

# One text: printable (line breaks allowed), not empty, at most the longest report text.
Text = Annotated[str, StringConstraints(min_length=1, max_length=MAX_REPORT_TEXT_CHARS), MultiLine]
Texts = Annotated[list[Text], Field(min_length=1, max_length=MAX_TEXTS)]


class EmbedRequest(BaseModel):
    texts: Texts = Field(description="Texts to embed (at least one).")
    kind: Literal["query", "passage"] = Field(
        default="passage", description="'query' for searches, 'passage' for stored reports."
    )


class EmbedResponse(BaseModel):
    vectors: list[list[float]] = Field(description="One L2-normalised vector per text.")
    dim: int
    mode: str = Field(description="What runs the embedding model: onnx, onnx-int8 or torch.")
    model: str = Field(description="The model id or local path.")


class EmbeddingModel(BaseModel):
    model: str = Field(
        description="The id of the vectors the service gives now: vectors of two ids are not "
        "comparable, so reports embedded under another id are embedded again."
    )
    dim: int
    runtime: str = Field(description="What runs the model: onnx, onnx-int8 or torch.")


class EntitiesRequest(BaseModel):
    texts: Texts


class Entity(BaseModel):
    text: str
    label: str
    start: int
    end: int


class Attributes(BaseModel):
    colours: list[str]
    brands: list[str]
    categories: list[str]
    places: list[str]
    dates: list[str]


class TextEntities(BaseModel):
    entities: list[Entity]
    attributes: Attributes


class EntitiesResponse(BaseModel):
    results: list[TextEntities] = Field(description="One entry per text, in order.")


class AnalyzeRequest(BaseModel):
    texts: Texts = Field(description="Report texts: each is embedded as a passage and tagged.")


class Analysis(BaseModel):
    vector: list[float] = Field(description="L2-normalised embedding.")
    entities: list[Entity]
    attributes: Attributes


class AnalyzeResponse(BaseModel):
    results: list[Analysis] = Field(description="One entry per text, in order.")
    dim: int
    mode: str = Field(description="What runs the embedding model: onnx, onnx-int8 or torch.")
    model: str = Field(description="The model id or local path.")
