"""The Lost & Found API: `backend.api.app.main:app` (deployments run this path)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from backend.api.app.jobs import JobQueue
from backend.api.app.photo_store import PhotoStore
from backend.api.app.routers import items, matches, reporters
from backend.api.app.settings import ApiSettings
from backend.common.db import database_ready, make_engine, make_sessionmaker
from backend.common.db.migrations import upgrade
from backend.common.health import ReadinessRegistry, mount_probes
from backend.common.version import version_info

DESCRIPTION = """
People report items they **lost** or **found**. The system enriches each report (text and photo)
and suggests **matches**; when both sides confirm a match, each sees the other's contact.

Authenticate with `Authorization: Bearer <token>`; get a token from `POST /reporters`.
"""


def create_app(config: ApiSettings | None = None) -> FastAPI:
    settings = config or ApiSettings()
    engine = make_engine(settings.database_url)
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
    app.state.photos = PhotoStore(settings.photos_path, settings.max_photo_bytes)
    app.state.jobs = JobQueue(settings)

    readiness = ReadinessRegistry()
    readiness.register("database", partial(database_ready, engine))

    def readiness_fields() -> dict[str, Any]:
        return {
            "app": "api",
            "version": str(version),
            "features": {
                "database": engine.dialect.name,
                "broker": "filesystem" if settings.uses_embedded_broker else "redis",
                "photos": True,
                "max_photo_bytes": settings.max_photo_bytes,
                "max_page_size": settings.max_page_size,
            },
        }

    mount_probes(app, readiness, extra=readiness_fields)

    @app.get("/health", tags=["probes"], summary="Legacy liveness probe (use /healthz)")
    async def legacy_health() -> dict[str, str]:
        return {"status": "ok", "app": "api", "version": str(version)}

    app.include_router(reporters.router)
    app.include_router(items.router)
    app.include_router(matches.router)
    return app


app = create_app()
