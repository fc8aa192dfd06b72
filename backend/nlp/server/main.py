"""The NLP service: `backend.nlp.server.main:app` (deployments run this path)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, HTTPException

from backend.common.contracts.nlp import (
    Analysis,
    AnalyzeRequest,
    AnalyzeResponse,
    EmbeddingModel,
    EmbedRequest,
    EmbedResponse,
    EntitiesRequest,
    EntitiesResponse,
)
from backend.common.health import ReadinessRegistry, mount_probes
from backend.common.limits import MAX_REPORT_TEXT_CHARS, MAX_TEXTS
from backend.common.telemetry import observe
from backend.common.version import version_info
from backend.common.web import ErrorMessage, harden, invalid
from backend.nlp.server.models import Encoder, Models, ModelUnavailable
from backend.nlp.server.settings import NlpSettings


def create_app(
    config: NlpSettings | None = None, encoder_factory: Callable[[], Encoder] | None = None
) -> FastAPI:
    """`encoder_factory`: another embedding model than the packaged one (the bench's torch)."""
    settings = config or NlpSettings()
    models = Models(settings, encoder_factory)
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
        # Which model failed is public; why (paths, exceptions) is in the log.
        return {
            "ready": models.ready,
            "embedding_model_loaded": models.embedding.loaded,
            "ner_model_loaded": models.ner.loaded,
            "dim": models.dim,
            "embedding_model": models.model_id,
            "app": "nlp",
            "version": version.version,
        }

    mount_probes(app, ReadinessRegistry(), extra=readiness_fields)
    # Texts at the largest limits, in JSON with escapes: well under a megabyte.
    body_bytes = 16 * MAX_TEXTS * MAX_REPORT_TEXT_CHARS
    harden(app, body_limit=lambda _method, _path: body_bytes)
    observe(app, "nlp", settings)

    def check_limits(texts: list[str]) -> None:
        # The schema states the largest limits; a deployment may set lower ones.
        if len(texts) > settings.max_texts:
            raise invalid(
                ("body", "texts"),
                f"{len(texts)} texts in one request; the limit is {settings.max_texts}",
            )
        for index, text in enumerate(texts):
            if len(text) > settings.max_chars:
                raise invalid(
                    ("body", "texts", index),
                    f"{len(text)} characters; the limit is {settings.max_chars}",
                )

    @app.post(
        "/embed",
        response_model=EmbedResponse,
        summary="L2-normalised sentence embeddings",
        responses={503: {"description": "Model not loaded", "model": ErrorMessage}},
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
            vectors=vectors.tolist(),
            dim=models.dim,
            mode=models.runtime,
            model=models.model_id,
        )

    @app.get(
        "/model",
        response_model=EmbeddingModel,
        summary="Which vectors the service gives now",
        responses={503: {"description": "Model not loaded", "model": ErrorMessage}},
    )
    async def model() -> EmbeddingModel:
        await wait_for_models()
        if not models.embedding.loaded:
            raise HTTPException(503, "embedding model not available")
        return EmbeddingModel(model=models.model_id, dim=models.dim, runtime=models.runtime)

    @app.post(
        "/entities",
        response_model=EntitiesResponse,
        summary="Entities and normalised attributes for matching",
        responses={503: {"description": "Model not loaded", "model": ErrorMessage}},
    )
    async def entities(body: EntitiesRequest) -> dict[str, Any]:
        check_limits(body.texts)
        await wait_for_models()
        try:
            results = await asyncio.to_thread(models.entities, body.texts)
        except ModelUnavailable as exc:
            raise HTTPException(503, str(exc)) from exc
        return {"results": results}

    @app.post(
        "/analyze",
        response_model=AnalyzeResponse,
        summary="Embedding (as a passage) and entities of each text, in one call",
        responses={503: {"description": "Model not loaded", "model": ErrorMessage}},
    )
    async def analyze(body: AnalyzeRequest) -> AnalyzeResponse:
        check_limits(body.texts)
        await wait_for_models()
        try:
            future = models.submit_embedding([settings.passage_prefix + t for t in body.texts])
            tagged = asyncio.to_thread(models.entities, body.texts)
        except ModelUnavailable as exc:
            raise HTTPException(503, str(exc)) from exc
        # The embedder's thread and spaCy run side by side.
        vectors, results = await asyncio.gather(asyncio.wrap_future(future), tagged)
        return AnalyzeResponse(
            results=[
                Analysis(vector=vector.tolist(), **result)
                for vector, result in zip(vectors, results, strict=True)
            ],
            dim=models.dim,
            mode=models.runtime,
            model=models.model_id,
        )

    return app


app = create_app()
