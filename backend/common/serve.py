"""Runs a service's ASGI app under uvicorn with the common settings and logging."""

from __future__ import annotations

import uvicorn

from backend.common.log import configure_logging
from backend.common.settings import ServiceSettings
from backend.common.telemetry import start_telemetry


def serve(app_path: str, settings: ServiceSettings, service: str) -> None:
    """`app_path` is "module:attribute"; HOST, PORT, FORWARDED_ALLOW_IPS, LOG_*, METRICS_PORT
    and the OTLP endpoint come from `settings`; `service` names its metrics and traces.
    X-Forwarded-For is read only from the configured proxies: from anyone else it would let a
    client pick its own address (and its own rate-limit bucket)."""
    configure_logging(settings.log_level, settings.log_format)
    start_telemetry(settings, service)
    trusted = settings.forwarded_allow_ips.strip()
    uvicorn.run(
        app_path,
        host=settings.host,
        port=settings.port,
        log_config=None,
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None,
    )
