"""The vision service: `backend.vision.server.main:app` (deployments run this path)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, suppress
from typing import Annotated, Any

import numpy as np
from fastapi import FastAPI, File, HTTPException, UploadFile
from prometheus_client import Histogram

from backend.common.contracts.vision import (
    MODEL_VERSION,
    FeatureRecord,
    PairSimilarityRequest,
    SimilarityRequest,
    SimilarityResult,
    SimilarityResults,
)
from backend.common.health import ReadinessRegistry, mount_probes
from backend.common.metrics import BATCH_BUCKETS, SECONDS_BUCKETS
from backend.common.telemetry import observe
from backend.common.version import version_info
from backend.common.web import ErrorMessage, harden, invalid
from backend.vision.server.decoding import ImageError, decode_image
from backend.vision.server.features import (
    RecordError,
    extract_features,
    parse_record,
    similarity,
)
from backend.vision.server.settings import VisionSettings

log = logging.getLogger(__name__)

BATCH_RECORDS = Histogram(
    "lostfound_vision_batch_records",
    "Candidate feature records one /similarity request compares a photo with.",
    buckets=BATCH_BUCKETS,
)
MODEL_SECONDS = Histogram(
    "lostfound_vision_model_seconds",
    "Time of one operation: features of one image (decoding included), or scoring one request's "
    "candidates.",
    ["operation"],
    buckets=SECONDS_BUCKETS,
)


class Pipeline:
    """Decoding and feature extraction on a thread pool, never on the event loop."""

    def __init__(self, settings: VisionSettings) -> None:
        self.settings = settings
        self.executor = ThreadPoolExecutor(settings.decode_threads, thread_name_prefix="vision")
        # An image is read into memory only when a thread is free to decode it: what uploads
        # take at once is DECODE_THREADS images, however many arrive.
        self.slots = asyncio.Semaphore(settings.decode_threads)
        self.ready = False
        self.error: str | None = None
        self._self_test: asyncio.Task[None] | None = None

    def features_sync(self, data: bytes) -> dict[str, Any]:
        s = self.settings
        with MODEL_SECONDS.labels("features").time():
            rgb, size = decode_image(
                data,
                max_bytes=s.max_image_bytes,
                max_pixels=s.max_image_pixels,
                max_decoded_pixels=s.max_decoded_pixels,
                work_size=s.work_size,
            )
            return extract_features(rgb, size, s.orb_features)

    async def features(self, data: bytes) -> dict[str, Any]:
        return await asyncio.get_running_loop().run_in_executor(
            self.executor, self.features_sync, data
        )

    async def run(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    def _exercise(self) -> None:
        # A textured synthetic image through the whole path proves OpenCV works here.
        rng = np.random.default_rng(0)
        image = (rng.random((128, 128, 3)) * 255).astype(np.uint8)
        record = extract_features(image, (128, 128), self.settings.orb_features)
        parsed = parse_record(record)
        if similarity(parsed, parsed)["score"] < 0.9:
            raise RuntimeError("self-test: an image does not match itself")

    async def self_test(self) -> None:
        try:
            await self.run(self._exercise)
            self.ready, self.error = True, None
        except Exception as exc:
            self.ready, self.error = False, f"{type(exc).__name__}: {exc}"
            log.exception("vision self-test failed")

    async def ensure_ready(self) -> bool:
        if self._self_test is None:
            self._self_test = asyncio.ensure_future(self.self_test())
        await asyncio.shield(self._self_test)
        if self.error:
            raise RuntimeError(self.error)
        return self.ready


async def _read_limited(upload: UploadFile, limit: int) -> bytes:
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(413, f"image is larger than the limit of {limit} bytes")
    return data


# Most bytes one feature record takes in JSON (500 ORB descriptors, base64, and the rest).
RECORD_BYTES = 64 * 1024


def create_app(config: VisionSettings | None = None) -> FastAPI:
    settings = config or VisionSettings()
    pipeline = Pipeline(settings)
    version = version_info()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # A failed self-test leaves the service up but not ready (503 with the reason).
        with suppress(Exception):
            await pipeline.ensure_ready()
        yield
        pipeline.executor.shutdown(wait=False, cancel_futures=True)

    app = FastAPI(
        title="Lost & Found vision service",
        version=str(version),
        description="Image features (ORB keypoints, Lab colour, perceptual hash) and similarity.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.pipeline = pipeline

    readiness = ReadinessRegistry()
    readiness.register("opencv_pipeline", pipeline.ensure_ready, timeout_s=30)
    mount_probes(
        app,
        readiness,
        extra=lambda: {"model_version": MODEL_VERSION, "app": "vision", "version": version.version},
    )

    def body_limit(_method: str, path: str) -> int:
        if path == "/similarity":  # feature records are ~25 kB each
            return (settings.max_candidates + 2) * RECORD_BYTES
        return 2 * settings.max_image_bytes + 64 * 1024  # /compare: two images, multipart

    harden(app, body_limit=body_limit)
    observe(app, "vision", settings)

    async def extract(upload: UploadFile, field: str) -> dict[str, Any]:
        try:
            async with pipeline.slots:
                return await pipeline.features(
                    await _read_limited(upload, settings.max_image_bytes)
                )
        except ImageError as exc:
            if exc.status_code == 422:  # shaped like every other 422
                raise invalid(("body", field), exc.message) from exc
            raise HTTPException(exc.status_code, exc.message) from exc

    def parsed(record: dict[str, Any], *location: str | int) -> Any:
        try:
            return parse_record(record)
        except RecordError as exc:
            raise invalid(("body", *location), str(exc)) from exc

    @app.post(
        "/features",
        response_model=FeatureRecord,
        summary="Feature record of one image",
        responses={
            413: {"description": "Too many bytes or pixels", "model": ErrorMessage},
            415: {"description": "Not an image", "model": ErrorMessage},
        },
    )
    async def features(file: Annotated[UploadFile, File()]) -> dict[str, Any]:
        return await extract(file, "file")

    @app.post(
        "/similarity",
        response_model=SimilarityResult | SimilarityResults,
        summary="Similarity of a record to another, or to many",
    )
    async def compare_records(body: SimilarityRequest) -> dict[str, Any]:
        a = parsed(body.a.model_dump(), "a")
        if isinstance(body, PairSimilarityRequest):
            b = parsed(body.b.model_dump(), "b")
            result: dict[str, Any] = await pipeline.run(similarity, a, b)
            return result
        candidates = [record.model_dump() for record in body.candidates]
        if len(candidates) > settings.max_candidates:
            raise HTTPException(
                413, f"{len(candidates)} candidates; the limit is {settings.max_candidates}"
            )
        others = [parsed(record, "candidates", i) for i, record in enumerate(candidates)]

        def score_all() -> list[dict[str, Any]]:
            BATCH_RECORDS.observe(len(others))
            with MODEL_SECONDS.labels("similarity").time():
                return [similarity(a, other) for other in others]

        return {"results": await pipeline.run(score_all)}

    @app.post(
        "/compare",
        response_model=SimilarityResult,
        summary="Similarity of two images",
        responses={
            413: {"description": "Too many bytes or pixels", "model": ErrorMessage},
            415: {"description": "Not an image", "model": ErrorMessage},
        },
    )
    async def compare_images(
        a: Annotated[UploadFile, File()], b: Annotated[UploadFile, File()]
    ) -> dict[str, Any]:
        first = await extract(a, "a")
        second = await extract(b, "b")
        result: dict[str, Any] = await pipeline.run(
            similarity, parse_record(first), parse_record(second)
        )
        return result

    return app


app = create_app()
