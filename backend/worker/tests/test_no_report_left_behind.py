"""Every state a lost job leaves behind is one the sweep finds, and only lost jobs are sent
again: the sweep against PostgreSQL, in this process, with the queue's backlog set by the test.
Also: limits agree between the API, the worker and NLP, and vision batches are split."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from kombu.exceptions import ChannelError
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from backend.common.clock import utcnow
from backend.common.jobs import BULK_QUEUE, ENRICH_ITEMS, MATCH_ITEMS, NOTIFY_MATCHES
from backend.common.limits import (
    MAX_BRAND_CHARS,
    MAX_DESCRIPTION_CHARS,
    MAX_LABEL_CHARS,
    MAX_REPORT_TEXT_CHARS,
    MAX_TITLE_CHARS,
)
from backend.common.models import EnrichmentState, Item, ItemKind, ItemStatus, Notification
from backend.common.taxonomy import taxonomy
from backend.worker.tests.conftest import suggestion
from backend.worker.tests.stubs import StubState, feature_record
from backend.worker.worker import sweep
from backend.worker.worker.clients import ServiceError, VisionClient
from backend.worker.worker.enrichment import describe
from backend.worker.worker.match_store import record_matches
from backend.worker.worker.rules import ENRICHMENT_VERSION
from backend.worker.worker.settings import WorkerSettings

pytestmark = pytest.mark.integration

NewItem = Callable[..., uuid.UUID]
LONG_AGO = timedelta(hours=1)


@pytest.fixture()
def sent(sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The work the sweep sends, one (task, item id) per item, recorded instead of queued; the
    backlog is 0 unless a test sets `sweep.queue_backlog`."""
    jobs: list[tuple[str, str]] = []

    def record(name: str, argument: str | list[str], queue: str, **_: Any) -> None:
        assert queue == BULK_QUEUE  # re-sent work never goes before a person's new report
        jobs.extend((name, one) for one in ([argument] if isinstance(argument, str) else argument))

    nlp = SimpleNamespace(model=lambda: SERVING)  # the model NLP serves now
    monkeypatch.setattr(sweep, "resources", lambda: SimpleNamespace(sessions=sessions, nlp=nlp))
    monkeypatch.setattr(sweep, "send_quietly", record)
    monkeypatch.setattr(sweep, "queue_backlog", lambda: 0)
    with sessions() as session:  # only this test's items and notices are stale
        session.execute(update(Item).values(updated_at=utcnow()))
        session.execute(update(Notification).values(updated_at=utcnow()))
        session.commit()
    return jobs


SERVING = "minilm+onnx"
MATCHING_MODEL = sweep.settings.model().id  # the model the worker matches with


def set_fields(sessions: sessionmaker[Session], item_id: uuid.UUID, **values: Any) -> None:
    with sessions() as session:
        session.execute(update(Item).where(Item.id == item_id).values(**values))
        session.commit()


def done_and_matched(
    sessions: sessionmaker[Session], item_id: uuid.UUID, **differences: Any
) -> None:
    """An item as matching leaves it today, except for `differences`."""
    set_fields(
        sessions,
        item_id,
        **{
            "enrichment_state": EnrichmentState.DONE,
            "enrichment_generation": 1,
            "matched_generation": 1,
            "matched_by": MATCHING_MODEL,
            "enrichment_version": ENRICHMENT_VERSION,
            "embedding_model": SERVING,
            **differences,
        },
    )


def state_of(sessions: sessionmaker[Session], item_id: uuid.UUID) -> Item:
    with sessions() as session:
        return session.get_one(Item, item_id)


def test_undelivered_notices_are_sent_again_together_on_the_bulk_queue(
    sessions: sessionmaker[Session], new_item: NewItem, sent: list[tuple[str, str]]
) -> None:
    owner = new_item(ItemKind.LOST, "Green umbrella")
    finds = [new_item(ItemKind.FOUND, f"Umbrella {n}") for n in range(2)]
    with sessions() as session:
        lost = session.get_one(Item, owner)
        created = record_matches(session, [(lost, [suggestion(key) for key in finds])])
        session.commit()
    with sessions() as session:  # the delivery job was lost an hour ago
        session.execute(
            update(Notification)
            .where(Notification.match_id.in_(created))
            .values(updated_at=utcnow() - LONG_AGO)
        )
        session.commit()

    counts = sweep.sweep_pending()

    assert sorted(sent) == sorted((NOTIFY_MATCHES, str(match_id)) for match_id in created)
    assert counts["notifications"] == 2
    assert sweep.sweep_pending()["notifications"] == 0  # sent again once, not every period


def test_under_a_backlog_nothing_is_sent_again(
    sessions: sessionmaker[Session],
    new_item: NewItem,
    sent: list[tuple[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 1,150 reports at once once made three extra rounds of duplicate jobs: a job waiting in
    # the queue is not a lost one.
    waiting = new_item(ItemKind.LOST, "Red scarf")
    set_fields(sessions, waiting, updated_at=utcnow() - LONG_AGO)
    monkeypatch.setattr(sweep, "queue_backlog", lambda: 1150)

    counts = sweep.sweep_pending()

    assert sent == []
    assert counts["backlog"] == 1150
    assert state_of(sessions, waiting).updated_at < utcnow() - LONG_AGO / 2


def test_once_drained_every_kind_of_lost_work_is_sent_once(
    sessions: sessionmaker[Session], new_item: NewItem, sent: list[tuple[str, str]]
) -> None:
    pending = new_item(ItemKind.LOST, "Blue umbrella")
    set_fields(sessions, pending, updated_at=utcnow() - LONG_AGO)
    retry_due = new_item(ItemKind.LOST, "Green bottle")
    set_fields(
        sessions,
        retry_due,
        enrichment_state=EnrichmentState.FAILED,
        enrichment_error="the text service was unavailable; retrying automatically",
        retry_at=utcnow() - timedelta(seconds=1),
    )
    failed_for_good = new_item(ItemKind.LOST, "Grey hat")
    set_fields(sessions, failed_for_good, enrichment_state=EnrichmentState.FAILED, retry_at=None)
    retry_later = new_item(ItemKind.LOST, "Pink bag")
    set_fields(
        sessions,
        retry_later,
        enrichment_state=EnrichmentState.FAILED,
        retry_at=utcnow() + timedelta(hours=1),
    )
    # Enriched, but its match job was lost (sent after the commit, then the broker died).
    unmatched = new_item(ItemKind.FOUND, "Black phone")
    set_fields(
        sessions,
        unmatched,
        enrichment_state=EnrichmentState.DONE,
        enrichment_generation=2,
        matched_generation=1,
        enrichment_version=ENRICHMENT_VERSION,
        updated_at=utcnow() - LONG_AGO,
    )
    matched = new_item(ItemKind.FOUND, "White cup")
    done_and_matched(sessions, matched, updated_at=utcnow() - LONG_AGO)
    # Matched by the matching model before a refit (or before models had ids); a closed one,
    # or one whose new model's job may still be running (changed just now), is not sent.
    matched_before, unknown_model, closed, just_now = (
        new_item(ItemKind.LOST, title) for title in ("Blue kite", "Brown belt", "Tent", "Key")
    )
    for item_id, model in (
        (matched_before, "logistic-before"),
        (unknown_model, None),
        (closed, "logistic-before"),
        (just_now, "logistic-before"),
    ):
        long_ago = timedelta(0) if item_id == just_now else LONG_AGO
        done_and_matched(sessions, item_id, matched_by=model, updated_at=utcnow() - long_ago)
    set_fields(sessions, closed, status=ItemStatus.CLOSED)
    # Enriched before the way reports are read changed (no matter how recently).
    outdated = new_item(ItemKind.FOUND, "Red scarf")
    done_and_matched(sessions, outdated, enrichment_version=ENRICHMENT_VERSION - 1, matched_by=None)

    # Embedded by the model NLP served before this one: not comparable with today's vectors.
    other_model, same_model = new_item(ItemKind.FOUND, "Glove"), new_item(ItemKind.LOST, "Cap")
    done_and_matched(sessions, other_model, embedding_model="minilm+torch")
    done_and_matched(sessions, same_model)

    first = sweep.sweep_pending()
    again = sweep.sweep_pending()  # right after: nothing is stale any more

    assert sorted(sent) == sorted(
        [
            (ENRICH_ITEMS, str(pending)),
            (ENRICH_ITEMS, str(retry_due)),
            (ENRICH_ITEMS, str(outdated)),
            (ENRICH_ITEMS, str(other_model)),
            (MATCH_ITEMS, str(unmatched)),
            (MATCH_ITEMS, str(matched_before)),
            (MATCH_ITEMS, str(unknown_model)),
        ]
    )
    assert first == {
        "items": 1,
        "retries": 1,
        "matching": 1,
        "outdated": 2,
        "rematch": 2,
        "notifications": 0,
    }
    assert again == dict.fromkeys(first, 0)
    assert state_of(sessions, outdated).enrichment_state == EnrichmentState.PENDING
    assert state_of(sessions, other_model).enrichment_state == EnrichmentState.PENDING
    assert state_of(sessions, same_model).enrichment_state == EnrichmentState.DONE
    assert state_of(sessions, retry_due).enrichment_state == EnrichmentState.PENDING
    assert state_of(sessions, failed_for_good).enrichment_state == EnrichmentState.FAILED


def test_reports_of_another_model_are_matched_again_a_batch_a_sweep(
    sessions: sessionmaker[Session],
    new_item: NewItem,
    sent: list[tuple[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        sweep, "settings", sweep.settings.model_copy(update={"rematch_per_sweep": 1})
    )
    reports = [new_item(ItemKind.LOST, title) for title in ("Blue kite", "Brown belt")]
    for item_id in reports:
        done_and_matched(
            sessions, item_id, matched_by="logistic-before", updated_at=utcnow() - LONG_AGO
        )

    counts = [sweep.sweep_pending()["rematch"] for _ in range(3)]

    assert counts == [1, 1, 0]  # the second waits its turn; then each is sent once
    assert sorted(sent) == sorted((MATCH_ITEMS, str(item_id)) for item_id in reports)


def test_a_photo_described_by_another_vision_extraction_is_described_again(
    sessions: sessionmaker[Session], new_item: NewItem, sent: list[tuple[str, str]]
) -> None:
    # Vision compares records of its own extraction only: with an older record, every keypoint
    # check that involves the photo would be skipped for good.
    current = feature_record(b"the same photo")
    older = {**current, "model_version": "orb-rg-phash/0"}
    described_before, described_now, no_photo, closed = (
        new_item(ItemKind.FOUND, title) for title in ("Red bag", "Blue bag", "Green bag", "Tent")
    )
    for item_id, features in (
        (described_before, older),
        (described_now, current),
        (no_photo, None),
        (closed, older),
    ):
        done_and_matched(sessions, item_id, image_features=features)
    set_fields(sessions, closed, status=ItemStatus.CLOSED)
    # Outdated in two ways at once: sent once.
    both = new_item(ItemKind.LOST, "Black bag")
    done_and_matched(
        sessions, both, image_features=older, enrichment_version=ENRICHMENT_VERSION - 1
    )

    first = sweep.sweep_pending()
    again = sweep.sweep_pending()

    assert sorted(sent) == sorted(
        [(ENRICH_ITEMS, str(described_before)), (ENRICH_ITEMS, str(both))]
    )
    assert first["outdated"] == 2
    assert again["outdated"] == 0
    assert state_of(sessions, described_before).enrichment_state == EnrichmentState.PENDING
    assert state_of(sessions, described_now).enrichment_state == EnrichmentState.DONE


def test_with_nlp_down_re_embedding_waits_and_the_rest_is_swept(
    sessions: sessionmaker[Session],
    new_item: NewItem,
    sent: list[tuple[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def unreachable() -> str:
        raise ServiceError(
            "GET /model: refused", transient=True, reason="down", kind="text_unreachable"
        )

    nlp = SimpleNamespace(model=unreachable)
    monkeypatch.setattr(sweep, "resources", lambda: SimpleNamespace(sessions=sessions, nlp=nlp))
    other_model = new_item(ItemKind.FOUND, "Glove")
    set_fields(
        sessions,
        other_model,
        enrichment_state=EnrichmentState.DONE,
        enrichment_version=ENRICHMENT_VERSION,
        embedding_model="minilm+torch",
    )
    pending = new_item(ItemKind.LOST, "Blue umbrella")
    set_fields(sessions, pending, updated_at=utcnow() - LONG_AGO)

    counts = sweep.sweep_pending()

    assert sent == [(ENRICH_ITEMS, str(pending))]
    assert counts["outdated"] == 0
    assert state_of(sessions, other_model).enrichment_state == EnrichmentState.DONE


def test_the_longest_report_the_api_takes_is_what_nlp_takes() -> None:
    longest = Item(
        kind=ItemKind.LOST,
        title="t" * MAX_TITLE_CHARS,
        description="d" * MAX_DESCRIPTION_CHARS,
        colour="c" * MAX_LABEL_CHARS,
        category="k" * MAX_LABEL_CHARS,
        brand="b" * MAX_BRAND_CHARS,
    )
    # As written (rewriting may lengthen it: enrichment then keeps the first nlp_max_chars and
    # says so on the item).
    as_written = dataclasses.replace(taxonomy(), wording=None)
    assert len(describe(longest, as_written)) == MAX_REPORT_TEXT_CHARS
    # NLP's default MAX_CHARS is the same constant (backend/nlp/tests check it takes it).
    assert WorkerSettings().nlp_max_chars == MAX_REPORT_TEXT_CHARS


def test_vision_batches_are_split_to_its_limit(stubs: tuple[str, StubState]) -> None:
    base_url, state = stubs
    state.max_candidates = 2
    try:
        client = VisionClient(base_url, timeout_s=10)
        record = feature_record(b"mine")
        candidates = [feature_record(photo) for photo in (b"mine", b"x", b"y", b"mine", b"z")]
        sent_before = client.similarity_bytes_sent

        scores = client.similarity(record, candidates, batch=2)
    finally:
        state.max_candidates = None

    assert scores == [1.0, 0.1, 0.1, 1.0, 0.1]
    assert state.similarity_calls == 3
    assert client.similarity_bytes_sent > sent_before  # what matching moves is counted


def test_an_empty_queue_counts_as_empty_not_as_unknown() -> None:
    # Redis keeps no empty list, so a passive declare of an empty queue says NOT_FOUND: under a
    # bulk backlog that once read as "backlog unknown" and re-sent every pending item.
    class Channel:
        def queue_declare(self, queue: str, passive: bool) -> Any:
            if queue == "lostfound.bulk":
                return SimpleNamespace(message_count=1150)
            raise ChannelError(f"NOT_FOUND - no queue {queue!r}")

    assert (
        sum(sweep._waiting(Channel(), queue) for queue in ("lostfound", "lostfound.bulk")) == 1150
    )
