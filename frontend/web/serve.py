"""Serves the web app: the node build's files (dist/) and the API's address for the pages.

    ./pants run frontend/web:server        # :8003; API_URL says where the API is

The pages call the API from the browser (the API allows this origin by CORS_ORIGINS). One
build serves every deployment: the API's address comes from /config.json, written from API_URL.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import AliasChoices, AnyHttpUrl, Field

from backend.common.health import ReadinessRegistry, mount_probes
from backend.common.serve import serve
from backend.common.settings import ServiceSettings
from backend.common.telemetry import observe
from backend.common.web import harden

DIST = Path(__file__).resolve().parent / "dist"


class WebSettings(ServiceSettings):
    port: int = Field(default=8003, ge=1, le=65535)
    api_url: AnyHttpUrl = Field(
        default=AnyHttpUrl("http://127.0.0.1:8000"),
        # Where a deployment already says it (compose's local.env), the API's own setting serves.
        validation_alias=AliasChoices("api_url", "public_base_url"),
        description="The API's address as browsers reach it; default: PUBLIC_BASE_URL.",
    )


def create_app(settings: WebSettings | None = None) -> FastAPI:
    settings = settings or WebSettings()
    api = str(settings.api_url).rstrip("/")
    app = FastAPI(title="Lost & Found web app", docs_url=None, redoc_url=None, openapi_url=None)
    readiness = ReadinessRegistry()
    readiness.register("pages", lambda: (DIST / "index.html").is_file())
    mount_probes(app, readiness, extra=lambda: {"app": "web"})

    @app.get("/config.json", include_in_schema=False)
    async def config() -> JSONResponse:
        return JSONResponse({"apiUrl": api}, headers={"Cache-Control": "no-store"})

    # Pages and files only: no request bodies. Pages may run their own scripts only, and talk
    # to this origin and the API only.
    policy = (
        f"default-src 'self'; connect-src 'self' {api}; img-src 'self' {api} blob: data:; "
        "style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'self'"
    )
    headers = {"Content-Security-Policy": policy, "Referrer-Policy": "no-referrer"}
    harden(app, body_limit=lambda _method, _path: 0, headers=headers)
    # The bundle is text: gzip sends less than half of it (8.5 of 20.2 KB).
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    observe(app, "web", settings)
    app.mount("/", StaticFiles(directory=DIST, html=True, check_dir=False), name="pages")
    return app


app = create_app()


def main() -> None:
    serve("frontend.web.serve:app", WebSettings(), "web")


if __name__ == "__main__":
    main()
