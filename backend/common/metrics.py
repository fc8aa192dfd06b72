"""Prometheus metrics, served the same way by every service.

Each service serves `GET /metrics` on HOST:METRICS_PORT, apart from its own port (the API's
port is public; request counts and queue depths are for the operators). Metric names start
with `lostfound_`; what each one means is in docs/observability.md.

A process that forks workers (the Celery worker) sets PROMETHEUS_MULTIPROC_DIR before anything
imports prometheus_client: each process then writes its values to files in that folder and the
serving process adds them up (prometheus_client's multiprocess mode).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable
from typing import Any

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    start_http_server,
)
from prometheus_client import multiprocess as multi_process
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

# A `_created` timestamp beside every counter and histogram: a series per series that no rule or
# panel reads.
disable_created_metrics()

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"

# Seconds, from a probe's answer to an office's upload.
SECONDS_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
# Items in one batch: a person's report (1) to NLP's largest request (64) and beyond.
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)

HTTP_REQUESTS = Counter(
    "lostfound_http_requests_total",
    "HTTP requests answered, by service, method, route template and status.",
    ["service", "method", "route", "status"],
)
HTTP_SECONDS = Histogram(
    "lostfound_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer (background work included).",
    ["service", "method", "route"],
    buckets=SECONDS_BUCKETS,
)
UNROUTED = "(no route)"  # a path no route answers (404), or refused before routing (413)


class _Measured:
    """ASGI middleware: counts and times each HTTP request under its route *template*
    (`/items/{item_id}`, never an id: one series per route, not per report)."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the app raises before answering

        async def send_seen(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_seen)
        finally:
            route = _route(scope)
            method = scope["method"]
            HTTP_REQUESTS.labels(self.service, method, route, str(status)).inc()
            HTTP_SECONDS.labels(self.service, method, route).observe(time.perf_counter() - started)


def _route(scope: Scope) -> str:
    """The route template that answered; for a mounted app (the web app's files), its kind."""
    route = getattr(scope.get("route"), "path", None)
    if route:
        return str(route)
    endpoint = scope.get("endpoint")
    return f"({type(endpoint).__name__})" if endpoint is not None else UNROUTED


def measure_requests(app: Any, service: str) -> None:
    """Count and time every request `app` answers (add it last: it then sees the refusals of
    the other middleware too)."""
    app.add_middleware(_Measured, service=service)


def serve_metrics(host: str, port: int, collectors: Iterable[Collector] = ()) -> int:
    """Serve /metrics on host:port from a thread; returns the port (useful with port 0).

    In multiprocess mode the values of every process are read from the shared folder;
    `collectors` add values measured when scraped (queue depths)."""
    if os.environ.get(MULTIPROCESS_ENV):
        registry = CollectorRegistry()
        multi_process.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    for collector in collectors:
        registry.register(collector)
    server, _thread = start_http_server(port, addr=host, registry=registry)
    bound = int(server.server_port)
    log.info("metrics on http://%s:%d/metrics", host, bound)
    return bound
