"""The Lost & Found API: `backend.api.app.main:app` (deployments run this path)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from backend.api.app.deps import OPTIONAL_BEARER
from backend.api.app.errors import install_error_handlers
from backend.api.app.jobs import JobQueue
from backend.api.app.photo_store import PhotoStore
from backend.api.app.rate_limits import RateLimits
from backend.api.app.routers import batches, desk, items, matches, reporters
from backend.api.app.settings import ApiSettings
from backend.common.db import database_ready, make_engine, make_sessionmaker
from backend.common.db.migrations import upgrade
from backend.common.health import ReadinessRegistry, mount_probes
from backend.common.telemetry import observe
from backend.common.version import version_info
from backend.common.web import harden

log = logging.getLogger(__name__)

# Refusals every route of a kind can answer, for the OpenAPI document.
_PUBLIC_PATHS = ("/healthz", "/readyz", "/health", "/docs", "/openapi.json")
_RATE_LIMITED = {
    ("post", "/reporters"),
    ("post", "/reporters/sign-in-link"),
    ("post", "/items"),
    ("put", "/items/{item_id}/photo"),
    ("post", "/batches"),
    ("post", "/matches/{match_id}/messages"),
}

DESCRIPTION = """
People report items they **lost** or **found**. The system enriches each report (text and photo)
and suggests **matches**; when both sides confirm a match, each sees the other's contact.

Authenticate with `Authorization: Bearer <token>`; get a token from `POST /reporters`.
"""


def create_app(config: ApiSettings | None = None) -> FastAPI:
    settings = config or ApiSettings()
    engine = make_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_pool_overflow,
        pool_timeout=settings.database_pool_timeout_s,
    )
    version = version_info()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if settings.migrate_on_start:
            await run_in_threadpool(upgrade, settings.database_url)
        yield
        engine.dispose()

    app = FastAPI(
        title="Lost & Found API",
        version=str(version),
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_sessionmaker(engine)
    app.state.photos = PhotoStore(
        settings.photos_path,
        settings.max_photo_bytes,
        settings.max_upload_pixels,
        max_decoded_pixels=settings.max_decoded_pixels,
        decode_slots=settings.photo_decode_slots,
    )
    app.state.jobs = JobQueue(settings)
    app.state.rate_limits = RateLimits(
        settings.rate_limit_storage,
        registrations=settings.registrations_per_ip,
        reports=settings.reports_per_reporter,
        batches=settings.batches_per_office,
        photos=settings.photos_per_reporter,
        sign_ins=settings.sign_ins_per_ip,
        messages=settings.messages_per_reporter,
    )

    readiness = ReadinessRegistry()
    readiness.register("database", partial(database_ready, engine))
    # Public: the names of the checks, the release and what a client may send (the limits the
    # OpenAPI document states too); nothing about the machinery behind them (database, broker).
    features = {
        "photos": True,
        "bulk_intake": True,
        "max_photo_bytes": settings.max_photo_bytes,
        "max_upload_pixels": settings.max_upload_pixels,
        "max_page_size": settings.max_page_size,
    }
    mount_probes(
        app,
        readiness,
        extra=lambda: {"app": "api", "version": version.version, "features": features},
    )

    @app.get("/health", tags=["probes"], summary="Legacy liveness probe (use /healthz)")
    async def legacy_health() -> dict[str, str]:
        return {"status": "ok", "app": "api", "version": version.version}

    # The database down or unreachable (not a bug in a query): 503, the client may retry.
    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    @app.exception_handler(PoolTimeout)
    async def database_unavailable(_request: Request, exc: Exception) -> JSONResponse:
        log.warning("database unavailable: %s", type(exc).__name__)
        return JSONResponse(
            {"detail": "the database is unavailable; nothing was changed, retry shortly"},
            status_code=503,
            headers={"Retry-After": "5"},
        )

    def body_limit(method: str, path: str) -> int:
        if method == "PUT" and path.endswith("/photo"):
            return settings.max_photo_bytes + 64 * 1024  # multipart framing
        if method == "POST" and path == "/batches":
            return settings.max_batch_bytes + settings.max_batch_photo_bytes + 64 * 1024
        return settings.max_json_bytes

    def refusals(method: str, path: str, operation: Mapping[str, Any]) -> set[int]:
        if path in _PUBLIC_PATHS:
            return set()
        codes = {503}
        if operation.get("security"):
            codes |= {401, 403}
        if "{" in path:
            codes.add(404)
        if (method, path) in _RATE_LIMITED:
            codes.add(429)
        return codes

    harden(app, body_limit=body_limit, responses=refusals)
    install_error_handlers(app)
    if settings.cors_origins:
        # Named origins only (the web app's); tokens travel in the Authorization header, so
        # no cookies are allowed across origins.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
            allow_credentials=False,
            max_age=600,
        )
    _document_optional_auth(app)
    observe(app, "api", settings)

    app.include_router(reporters.router)
    app.include_router(items.router)
    app.include_router(matches.router)
    app.include_router(batches.router)
    app.include_router(desk.router)
    return app


def _document_optional_auth(app: FastAPI) -> None:
    """Public reads take a token but do not need one: OpenAPI says so with an empty alternative."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build()
        schemes = schema.get("components", {}).get("securitySchemes", {})
        if schemes.pop(OPTIONAL_BEARER, None) is not None:
            for operations in schema["paths"].values():
                for operation in operations.values():
                    if operation.get("security") == [{OPTIONAL_BEARER: []}]:
                        operation["security"] = [{}, {"HTTPBearer": []}]
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


app = create_app()
