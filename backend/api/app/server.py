"""Entry point of the API's PEX: `python3.11 server.pex` serves on HOST:PORT (default :8000)."""

from __future__ import annotations

import uvicorn

from backend.api.app.settings import ApiSettings
from backend.common.log import configure_logging


def main() -> None:
    settings = ApiSettings()
    configure_logging(settings.log_level, settings.log_format)
    uvicorn.run(
        "backend.api.app.main:app",
        host=settings.host,
        port=settings.port,
        log_config=None,
        proxy_headers=True,
    )


if __name__ == "__main__":
    main()
