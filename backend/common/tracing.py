"""OpenTelemetry traces: one report's way through API → queue → worker → NLP/vision is one trace.

Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set: then nothing is instrumented and no span is made,
so tracing costs nothing where nobody collects it. On, each process sends its spans by OTLP over
HTTP in batches from a background thread; the W3C `traceparent` header (HTTP) and the Celery
message headers carry the trace from one service to the next.
"""

from __future__ import annotations

import logging
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter

from backend.common.settings import ServiceSettings
from backend.common.version import version_info

log = logging.getLogger(__name__)

# Probes and scrapes come every few seconds and say nothing about a report.
UNTRACED_URLS = "healthz,readyz,health"


def enabled(settings: ServiceSettings) -> bool:
    return bool(settings.otel_exporter_otlp_endpoint.strip())


def start_tracing(
    settings: ServiceSettings, service: str, exporter: SpanExporter | None = None
) -> bool:
    """Install the process's tracer provider, named `lostfound-<service>`; False when tracing
    is off. `exporter`: another than OTLP (the tests' in-memory one)."""
    if exporter is None:
        if not enabled(settings):
            return False
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        # The SDK reads OTEL_EXPORTER_OTLP_ENDPOINT itself and appends /v1/traces.
        exporter = OTLPSpanExporter()
    resource = Resource.create(
        {"service.name": f"lostfound-{service}", "service.version": version_info().version}
    )
    provider = TracerProvider(resource=resource)
    # A batch per few seconds from a thread; the SDK starts it again in a forked child.
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    log.info("tracing: spans of %s go to %s", service, settings.otel_exporter_otlp_endpoint)
    return True


def trace_requests(app: Any, settings: ServiceSettings) -> None:
    """Spans for the requests `app` serves, continuing a caller's trace."""
    if not enabled(settings):
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(app, excluded_urls=UNTRACED_URLS)


def flush() -> None:
    """Send the spans still waiting in the batch (a test, a process about to exit)."""
    provider = trace.get_tracer_provider()
    force_flush = getattr(provider, "force_flush", None)
    if force_flush is not None:
        force_flush()
