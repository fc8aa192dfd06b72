"""Metrics and traces of an HTTP service, as Prometheus and a trace collector see them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from backend.common.metrics import serve_metrics
from backend.common.settings import ServiceSettings
from backend.common.telemetry import observe
from backend.common.testing.metrics import Scrape, scrape
from backend.common.tracing import flush, start_tracing
from backend.common.web import harden

REQUESTS = "lostfound_http_requests_total"
SECONDS = "lostfound_http_request_duration_seconds_count"


def make_app(settings: ServiceSettings) -> FastAPI:
    app = FastAPI()

    @app.get("/items/{item_id}")
    async def read(item_id: str) -> dict[str, str]:
        return {"id": item_id}

    @app.post("/items")
    async def create(body: dict[str, str]) -> dict[str, str]:
        return body

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    harden(app, body_limit=lambda _method, _path: 100)
    observe(app, "test", settings)
    return app


@pytest.fixture(scope="module")
def metrics_url() -> str:
    port = serve_metrics("127.0.0.1", 0)
    return f"http://127.0.0.1:{port}/metrics"


def requests_of(scraped: Scrape, method: str, route: str, status: str) -> float:
    return scraped.value(REQUESTS, service="test", method=method, route=route, status=status)


def test_requests_are_counted_and_timed_by_route_template_and_status(metrics_url: str) -> None:
    client = TestClient(make_app(ServiceSettings(metrics_port=9100)))
    before = scrape(metrics_url)
    ids = [str(uuid.uuid4()) for _ in range(3)]
    for item_id in ids:
        assert client.get(f"/items/{item_id}").status_code == 200
    assert client.get("/nowhere").status_code == 404
    assert client.post("/items", content=b"{" + b" " * 200 + b"}").status_code == 413
    assert client.post("/items", json={"a": 1}).status_code == 422
    after = scrape(metrics_url)

    assert after.families[REQUESTS.removesuffix("_total")] == "counter"
    assert after.families["lostfound_http_request_duration_seconds"] == "histogram"
    moved = {
        ("GET", "/items/{item_id}", "200"): 3,
        ("GET", "(no route)", "404"): 1,
        ("POST", "(no route)", "413"): 1,  # refused by the body limit before routing
        ("POST", "/items", "422"): 1,
    }
    for (method, route, status), count in moved.items():
        assert (
            requests_of(after, method, route, status) - requests_of(before, method, route, status)
            == count
        ), (method, route, status)
    timed = after.value(SECONDS, method="GET", route="/items/{item_id}") - before.value(
        SECONDS, method="GET", route="/items/{item_id}"
    )
    assert timed == 3
    # One series per route, never one per report.
    routes = after.label_values(REQUESTS, "route")
    assert not any(item_id in route for route in routes for item_id in ids)


@pytest.fixture(scope="module")
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    settings = ServiceSettings(otel_exporter_otlp_endpoint="http://collector.invalid:4318")
    assert start_tracing(settings, "test", exporter)
    yield exporter


def test_a_request_continues_the_callers_trace_and_probes_are_not_traced(
    spans: InMemorySpanExporter,
) -> None:
    settings = ServiceSettings(otel_exporter_otlp_endpoint="http://collector.invalid:4318")
    client = TestClient(make_app(settings))
    trace_id = uuid.uuid4().hex
    parent = f"00-{trace_id}-{'1' * 16}-01"
    assert client.get("/items/abc", headers={"traceparent": parent}).status_code == 200
    assert client.get("/healthz").status_code == 200
    flush()

    finished = spans.get_finished_spans()
    served = [s for s in finished if s.kind == trace.SpanKind.SERVER]
    assert [s.name for s in served] == ["GET /items/{item_id}"]
    assert format(served[0].context.trace_id, "032x") == trace_id
    assert served[0].resource.attributes["service.name"] == "lostfound-test"


def test_without_an_endpoint_nothing_is_traced() -> None:
    app = make_app(ServiceSettings())
    assert not getattr(app, "_is_instrumented_by_opentelemetry", False)
    assert not start_tracing(ServiceSettings(), "test")


def test_without_a_metrics_port_nothing_is_counted(metrics_url: str) -> None:
    client = TestClient(make_app(ServiceSettings(metrics_port=0)))
    before = scrape(metrics_url)
    assert client.get("/items/abc").status_code == 200
    after = scrape(metrics_url)
    assert requests_of(after, "GET", "/items/{item_id}", "200") == requests_of(
        before, "GET", "/items/{item_id}", "200"
    )
