"""Runs a service's ASGI app under uvicorn with the common settings and logging."""

from __future__ import annotations

import uvicorn

from backend.common.log import configure_logging
from backend.common.settings import ServiceSettings


def serve(app_path: str, settings: ServiceSettings) -> None:
    """`app_path` is "module:attribute"; HOST, PORT and LOG_* come from `settings`."""
    configure_logging(settings.log_level, settings.log_format)
    uvicorn.run(
        app_path, host=settings.host, port=settings.port, log_config=None, proxy_headers=True
    )
