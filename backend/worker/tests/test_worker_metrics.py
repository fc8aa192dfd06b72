"""The worker's metrics, read over HTTP from its main process while a real worker runs tasks in
its prefork child (Redis, PostgreSQL, HTTP stubs)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from celery import Celery
from sqlalchemy.orm import Session, sessionmaker

from backend.common.jobs import ENRICH_ITEMS, MATCH_ITEMS, QUEUES
from backend.common.models import EnrichmentState, Item, ItemKind
from backend.common.testing.broker import WORKER_METRICS, redis_database
from backend.common.testing.metrics import Scrape, scrape
from backend.worker.tests.conftest import WorkerProcess
from backend.worker.tests.stubs import StubState, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def redis_url() -> str:
    return redis_database(WORKER_METRICS)


def matched(sessions: sessionmaker[Session], item_id: uuid.UUID) -> bool:
    with sessions() as session:
        item = session.get_one(Item, item_id)
        return item.matched_generation == item.enrichment_generation


def failed(sessions: sessionmaker[Session], item_id: uuid.UUID) -> bool:
    with sessions() as session:
        return session.get_one(Item, item_id).enrichment_state == EnrichmentState.FAILED


def moved(before: Scrape, after: Scrape, name: str, **labels: str) -> float:
    return after.value(name, **labels) - before.value(name, **labels)


def test_tasks_failures_matching_and_the_wait_for_a_first_suggestion_are_counted(
    worker: WorkerProcess,
    worker_env: dict[str, str],
    broker: Celery,
    sessions: sessionmaker[Session],
    new_item: Callable[..., uuid.UUID],
    stubs: tuple[str, StubState],
) -> None:
    url = f"http://127.0.0.1:{worker_env['METRICS_PORT']}/metrics"
    before = scrape(url)

    found = new_item(
        ItemKind.FOUND,
        "Found dark leather wallet",
        "black wallet at the central station platform",
        category="wallet",
    )
    broker.send_task(ENRICH_ITEMS, args=[[str(found)]])
    wait_for(lambda: matched(sessions, found), what="the found report matched (nothing yet)")
    lost = new_item(
        ItemKind.LOST, "Black leather wallet", "lost near the central station", category="wallet"
    )
    broker.send_task(ENRICH_ITEMS, args=[[str(lost)]])
    wait_for(lambda: matched(sessions, lost), what="the lost report matched")
    _, state = stubs
    state.refuse = True
    try:
        refused = new_item(ItemKind.FOUND, "Umbrella", "blue umbrella")
        broker.send_task(ENRICH_ITEMS, args=[[str(refused)]])
        wait_for(lambda: failed(sessions, refused), what="the refused report failed")
    finally:
        state.refuse = False
    after = scrape(url)

    # Counted in the child process that ran the tasks, served by the main process.
    tasks = "lostfound_worker_tasks_total"
    assert moved(before, after, tasks, task=ENRICH_ITEMS, outcome="success") >= 3
    assert moved(before, after, tasks, task=MATCH_ITEMS, outcome="success") >= 2
    assert (
        moved(before, after, "lostfound_worker_task_duration_seconds_count", task=MATCH_ITEMS) >= 2
    )
    # The lost report had its suggestion at its first matching; the found one had none then.
    first = "lostfound_first_suggestion_seconds"
    assert moved(before, after, f"{first}_count", kind="lost", queue="lostfound") == 1
    assert moved(before, after, f"{first}_count", kind="found") == 0
    assert 0 < moved(before, after, f"{first}_sum", kind="lost") < 60
    assert moved(before, after, "lostfound_match_seconds_count") >= 2
    assert moved(before, after, "lostfound_match_candidates_count") >= 2
    assert moved(before, after, "lostfound_match_candidates_sum") >= 1  # the lost saw the found
    failures = "lostfound_enrichment_failures_total"
    assert moved(before, after, failures, reason="text_refused") == 1
    assert after.label_values(failures, "reason") == {"text_refused"}
    # Read from Redis at the scrape.
    assert after.value("lostfound_broker_up") == 1
    assert after.label_values("lostfound_queue_depth", "queue") == set(QUEUES)
