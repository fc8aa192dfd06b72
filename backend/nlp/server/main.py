"""The NLP service: `backend.nlp.server.main:app` (deployments run this path)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Literal

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

from backend.common.health import ReadinessRegistry, mount_probes
from backend.common.version import version_info
from backend.nlp.server.models import Models, ModelUnavailable
from backend.nlp.server.settings import NlpSettings

EMBEDDING_BACKEND = "sentence-transformers"


class EmbedRequest(BaseModel):
    texts: list[str] = Field(min_length=1, description="Texts to embed (at least one).")
    kind: Literal["query", "passage"] = Field(
        default="passage", description="'query' for searches, 'passage' for stored reports."
    )


class EmbedResponse(BaseModel):
    vectors: list[list[float]] = Field(description="One L2-normalised vector per text.")
    dim: int
    mode: str = Field(description="The embedding backend.")
    model: str = Field(description="The model id or local path.")


class EntitiesRequest(BaseModel):
    texts: list[str] = Field(min_length=1)


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


def create_app(config: NlpSettings | None = None) -> FastAPI:
    settings = config or NlpSettings()
    models = Models(settings)
    version = version_info()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        models.start_loading()  # in the background: /healthz answers meanwhile
        yield

    app = FastAPI(
        title="Lost & Found NLP service",
        version=str(version),
        description="Sentence embeddings and entities (colour, brand, category, place, date).",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.models = models

    async def wait_for_models() -> None:
        # Every request passes here: once loading settled, skip the hop to a thread.
        if not models.settled:
            await asyncio.to_thread(models.wait_loaded, settings.load_wait_s)

    async def readiness_fields() -> dict[str, Any]:
        if not models.started:
            await wait_for_models()  # nobody started the load (no lifespan): start it and wait
        fields: dict[str, Any] = {
            "ready": models.ready,
            "embedding_model_loaded": models.embedding.loaded,
            "ner_model_loaded": models.ner.loaded,
            "model": models.model_id,
            "dim": models.dim,
            "app": "nlp",
            "version": str(version),
        }
        errors = {
            name: state.error
            for name, state in (("embedding", models.embedding), ("ner", models.ner))
            if state.error
        }
        if errors:
            fields["errors"] = errors
        return fields

    mount_probes(app, ReadinessRegistry(), extra=readiness_fields)

    def check_limits(texts: list[str]) -> None:
        if len(texts) > settings.max_texts:
            raise HTTPException(
                413, f"{len(texts)} texts in one request; the limit is {settings.max_texts}"
            )
        for index, text in enumerate(texts):
            if len(text) > settings.max_chars:
                raise HTTPException(
                    422,
                    f"texts[{index}] has {len(text)} characters; the limit is {settings.max_chars}",
                )
            if not text.strip():
                raise HTTPException(422, f"texts[{index}] is empty")

    @app.post(
        "/embed",
        response_model=EmbedResponse,
        summary="L2-normalised sentence embeddings",
        responses={
            413: {"description": "Too many texts"},
            503: {"description": "Model not loaded"},
        },
    )
    async def embed(body: EmbedRequest) -> EmbedResponse:
        check_limits(body.texts)
        await wait_for_models()
        prefix = settings.query_prefix if body.kind == "query" else settings.passage_prefix
        try:
            future = models.submit_embedding([prefix + text for text in body.texts])
        except ModelUnavailable as exc:
            raise HTTPException(503, str(exc)) from exc
        vectors = await asyncio.wrap_future(future)
        return EmbedResponse(
            vectors=vectors.tolist(), dim=models.dim, mode=EMBEDDING_BACKEND, model=models.model_id
        )

    @app.post(
        "/entities",
        response_model=EntitiesResponse,
        summary="Entities and normalised attributes for matching",
        responses={
            413: {"description": "Too many texts"},
            503: {"description": "Model not loaded"},
        },
    )
    async def entities(body: EntitiesRequest) -> dict[str, Any]:
        check_limits(body.texts)
        await wait_for_models()
        try:
            results = await asyncio.to_thread(models.entities, body.texts)
        except ModelUnavailable as exc:
            raise HTTPException(503, str(exc)) from exc
        return {"results": results}

    return app


app = create_app()
