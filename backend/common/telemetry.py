"""What every service does to be seen running: metrics (backend.common.metrics) and traces
(backend.common.tracing), set up in one place."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import FastAPI
from prometheus_client.registry import Collector

from backend.common.metrics import measure_requests, serve_metrics
from backend.common.settings import ServiceSettings
from backend.common.tracing import start_tracing, trace_requests


def observe(app: FastAPI, service: str, settings: ServiceSettings) -> None:
    """Count and time the requests `app` serves (when METRICS_PORT serves them) and trace them
    (when an OTLP endpoint is set). Call it after the app's other middleware: it then also sees
    what they refuse."""
    if settings.metrics_port:
        measure_requests(app, service)
    trace_requests(app, settings)


def start_telemetry(
    settings: ServiceSettings, service: str, collectors: Iterable[Collector] = ()
) -> int | None:
    """At a process's start: the tracer provider (when an OTLP endpoint is set) and the metrics
    server (when METRICS_PORT is set; returns its port)."""
    start_tracing(settings, service)
    if not settings.metrics_port:
        return None
    return serve_metrics(settings.host, settings.metrics_port, collectors)
