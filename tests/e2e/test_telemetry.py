"""What an operator sees of the running stack: every service's metrics, and one report's way
through API → queue → worker → NLP as one trace (PostgreSQL, Redis, the packaged services, a
trace receiver speaking OTLP)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from functools import partial
from typing import Any

import httpx
import pytest

from backend.common.testing.broker import TELEMETRY_STACK, redis_database
from backend.common.testing.metrics import catalogue, scrape
from backend.common.testing.postgres import throwaway_database
from deployment.local.sample_data import PAIRS, photo_png
from tests.e2e.otlp import Receiver, otlp_receiver
from tests.e2e.running import Stack

pytestmark = pytest.mark.integration

SERVICES = ("api", "nlp", "vision", "web", "worker")


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with otlp_receiver() as running:
        yield running


@pytest.fixture(scope="module")
def stack(
    receiver: Receiver, tmp_path_factory: pytest.TempPathFactory, redis_url: str
) -> Iterator[Stack]:
    with throwaway_database("lf_telemetry") as url:
        running = Stack(
            tmp_path_factory.mktemp("stack-telemetry"),
            url.render_as_string(hide_password=False),
            redis_url,
            with_web=True,
            metrics=True,
            extra_env={
                "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url,
                "OTEL_BSP_SCHEDULE_DELAY": "200",  # ms: the test need not wait 5 s per batch
            },
        )
        yield from running.serving()


@pytest.fixture(scope="module")
def redis_url() -> str:
    return redis_database(TELEMETRY_STACK)


def wait_for(check: Any, timeout_s: float = 120, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout_s
    while not (value := check()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)
    return value


@pytest.fixture(scope="module")
def met(stack: Stack) -> dict[str, str]:
    """A lost report and its found counterpart (with a photo), both matched."""
    lost, found = PAIRS[0]
    ids = {}
    with httpx.Client(base_url=stack.url("api"), timeout=30) as api:
        for name, report in (("found", found), ("lost", lost)):
            reporter = api.post("/reporters", json={"name": name, "email": f"{name}@example.org"})
            assert reporter.status_code == 201, reporter.text
            who = {"Authorization": f"Bearer {reporter.json()['token']}"}
            created = api.post("/items", json=report.body(f"{name}@example.org"), headers=who)
            assert created.status_code == 201, created.text
            ids[name] = created.json()["id"]
            if name == "found":
                png = photo_png(report.photo_seed or 1, report.photo_colour, False, 1)
                uploaded = api.put(
                    f"/items/{ids[name]}/photo",
                    files={"file": ("p.png", png, "image/png")},
                    headers=who,
                )
                assert uploaded.status_code == 200, uploaded.text
            wait_for(partial(stack.matching_done, [ids[name]]), what=f"the {name} report matched")
    assert httpx.get(stack.url("web") + "/").status_code == 200
    return ids


def test_every_service_serves_metrics_that_move_with_the_work(
    stack: Stack, met: dict[str, str]
) -> None:
    scraped = {name: scrape(stack.metrics_url(name)) for name in SERVICES}

    requests = "lostfound_http_requests_total"
    api = scraped["api"]
    assert api.value(requests, service="api", method="POST", route="/items", status="201") == 2
    assert api.value(requests, route="/items/{item_id}/photo", status="200") == 1
    assert scraped["web"].value(requests, service="web", route="(StaticFiles)", status="200") >= 1
    assert scraped["nlp"].value(requests, service="nlp", route="/analyze", status="200") >= 2
    nlp = scraped["nlp"]
    assert nlp.value("lostfound_nlp_batch_texts_count", model="embedding") >= 2
    assert nlp.value("lostfound_nlp_model_seconds_count", model="entities") >= 2
    vision = scraped["vision"]
    assert vision.value("lostfound_vision_model_seconds_count", operation="features") >= 1
    assert vision.value(requests, service="vision", route="/features", status="200") >= 1

    worker = scraped["worker"]
    assert worker.value("lostfound_worker_tasks_total", task="lostfound.enrich_items") >= 2
    assert worker.value("lostfound_worker_tasks_total", outcome="failure") == 0
    # The lost report came second: it had its suggestion at once.
    assert worker.value("lostfound_first_suggestion_seconds_count", kind="lost") == 1
    assert worker.value("lostfound_match_candidates_count") >= 2
    assert worker.value("lostfound_broker_up") == 1
    assert worker.label_values("lostfound_queue_depth", "queue") == {
        "lostfound",
        "lostfound.bulk",
    }
    # docs/observability.md lists what is served (a counter's family drops `_total`); failures
    # are counted only once one happens, and none did here.
    served = {
        name for s in scraped.values() for name in s.families if name.startswith("lostfound_")
    }
    documented = {name.removesuffix("_total") for name in catalogue()}
    assert served <= documented, sorted(served - documented)
    assert documented - served == {"lostfound_enrichment_failures"}
    # The metrics are not on the services' own ports (the API's is public).
    assert httpx.get(stack.url("api") + "/metrics").status_code == 404


def test_one_report_is_one_trace_through_api_worker_and_nlp(
    stack: Stack, met: dict[str, str], receiver: Receiver
) -> None:
    wanted = {"lostfound-api", "lostfound-worker", "lostfound-nlp"}

    def a_whole_trace() -> list[str]:
        posts = {
            span.trace_id
            for span in receiver.received()
            if span.service == "lostfound-api" and span.name == "POST /items"
        }
        return [trace for trace in posts if wanted <= receiver.traces().get(trace, set())]

    wait_for(a_whole_trace, timeout_s=60, what="a trace with API, worker and NLP spans")
    # The photo's way: API → worker → vision, in one trace too.
    wait_for(
        lambda: [
            t for t in receiver.traces().values() if {"lostfound-api", "lostfound-vision"} <= t
        ],
        timeout_s=60,
        what="a trace with API and vision spans",
    )
    # Probes are not traced.
    assert not [span for span in receiver.received() if "readyz" in span.name]
