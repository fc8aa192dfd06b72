"""The worker end to end: Redis, a real Celery worker process, PostgreSQL, HTTP stubs."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import redis
from celery import Celery
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from backend.common import match_record
from backend.common.clock import utcnow
from backend.common.contracts.vision import MODEL_VERSION
from backend.common.jobs import (
    ENRICH_ITEM,
    ENRICH_ITEMS,
    MATCH_ITEM,
    NOTIFY_MATCH,
    NOTIFY_MATCHES,
)
from backend.common.models import (
    EnrichmentState,
    Item,
    ItemKind,
    Match,
    MatchMessage,
    Notification,
    NotificationStatus,
    Photo,
)
from backend.common.notices import SHIPPED, message_kind
from backend.common.testing.smtp import Mailbox
from backend.worker.tests.conftest import STUB_MODEL, WorkerProcess, suggestion
from backend.worker.tests.stubs import StubState, embed, embedding_held, feature_record, wait_for
from backend.worker.worker.match_store import record_matches
from backend.worker.worker.settings import WorkerSettings

pytestmark = pytest.mark.integration

NewItem = Callable[..., uuid.UUID]


def item(sessions: sessionmaker[Session], item_id: uuid.UUID) -> Item:
    with sessions() as session:
        return session.get_one(Item, item_id)


def enriched(sessions: sessionmaker[Session], item_id: uuid.UUID) -> Item | None:
    found = item(sessions, item_id)
    return found if found.enrichment_state != EnrichmentState.PENDING else None


def matched(sessions: sessionmaker[Session], item_id: uuid.UUID) -> bool:
    """Enriched, and its own matching done (its match job has run)."""
    found = item(sessions, item_id)
    return found.matched_generation == found.enrichment_generation


def matches_of(sessions: sessionmaker[Session], item_id: uuid.UUID) -> list[Match]:
    with sessions() as session:
        return list(
            session.scalars(
                select(Match).where(
                    or_(Match.lost_item_id == item_id, Match.found_item_id == item_id)
                )
            ).unique()
        )


def attach_photo(
    sessions: sessionmaker[Session],
    worker_env: dict[str, str],
    item_id: uuid.UUID,
    file_name: str,
    data: bytes,
) -> None:
    """A stored photo, as the API leaves it: the file in PHOTO_DIR and its row."""
    photos = Path(worker_env["DATA_DIR"]) / "photos"
    photos.mkdir(exist_ok=True)
    (photos / file_name).write_bytes(data)
    content_type = "image/png" if file_name.endswith(".png") else "image/jpeg"
    with sessions() as session:
        session.add(
            Photo(
                item_id=item_id,
                file_name=file_name,
                content_type=content_type,
                size_bytes=len(data),
                sha256="0" * 64,
            )
        )
        session.commit()


def test_enrichment_stores_embedding_attributes_and_photo_features(
    worker: WorkerProcess,
    broker: Celery,
    sessions: sessionmaker[Session],
    new_item: NewItem,
    worker_env: dict[str, str],
    stubs: tuple[str, StubState],
) -> None:
    item_id = new_item(
        ItemKind.LOST, "Black leather wallet", "lost near the station", colour="Black"
    )
    attach_photo(sessions, worker_env, item_id, "wallet.png", b"\x89PNG\r\n\x1a\n fake but stable")

    broker.send_task(ENRICH_ITEM, args=[str(item_id)])
    done = wait_for(lambda: enriched(sessions, item_id), what="enrichment")

    assert done.enrichment_state == EnrichmentState.DONE
    assert done.match_record is not None and match_record.dim_of(done.match_record) == 384
    assert done.embedding_model == "stub-bow"
    assert "black" in done.attributes["colours"]
    _, state = stubs
    assert done.image_features is not None
    assert done.image_features["model_version"] == MODEL_VERSION
    assert state.feature_calls >= 1
    assert done.enriched_at is not None


def test_a_photo_is_described_again_only_when_vision_reads_photos_another_way_now(
    worker: WorkerProcess,
    broker: Celery,
    sessions: sessionmaker[Session],
    new_item: NewItem,
    worker_env: dict[str, str],
    stubs: tuple[str, StubState],
) -> None:
    _, state = stubs
    photo = b"\x89PNG\r\n\x1a\n described once"
    kept, older = (new_item(ItemKind.FOUND, title) for title in ("Red bag", "Blue bag"))
    for item_id, version in ((kept, MODEL_VERSION), (older, "orb-rg-phash/0")):
        attach_photo(sessions, worker_env, item_id, f"{item_id}.png", photo)
        with sessions() as session:  # described before, of this very photo (attach_photo's sha)
            session.execute(
                update(Item)
                .where(Item.id == item_id)
                .values(
                    image_features={**feature_record(photo), "model_version": version},
                    features_sha256="0" * 64,
                )
            )
            session.commit()
    calls = state.feature_calls

    broker.send_task(ENRICH_ITEM, args=[str(kept)])
    wait_for(lambda: enriched(sessions, kept), what="enrichment")
    assert state.feature_calls == calls  # the same photo, read the same way: not sent again
    broker.send_task(ENRICH_ITEM, args=[str(older)])
    done = wait_for(lambda: enriched(sessions, older), what="enrichment")

    assert state.feature_calls == calls + 1
    assert done.image_features is not None
    assert done.image_features["model_version"] == MODEL_VERSION


def test_a_photo_vision_refuses_leaves_the_report_matched_on_its_text(
    worker: WorkerProcess,
    broker: Celery,
    sessions: sessionmaker[Session],
    new_item: NewItem,
    worker_env: dict[str, str],
    stubs: tuple[str, StubState],
) -> None:
    # Once, a photo vision refused failed the whole report.
    _, state = stubs
    item_id = new_item(ItemKind.FOUND, "Green scarf", "wool scarf on a bench")
    attach_photo(sessions, worker_env, item_id, "scarf.jpg", b"\xff\xd8\xff huge")
    state.refuse_photos = True
    try:
        broker.send_task(ENRICH_ITEM, args=[str(item_id)])
        done = wait_for(lambda: enriched(sessions, item_id), what="enrichment")
    finally:
        state.refuse_photos = False

    assert done.enrichment_state == EnrichmentState.DONE
    assert done.match_record is not None and done.image_features is None
    assert done.enrichment_error == (
        "the photo is not used for matching: the photo service refused it: "
        "the image is 8000x6000 pixels; too many"
    )


def test_matching_suggests_the_right_pair_and_not_a_distractor(
    worker: WorkerProcess,
    broker: Celery,
    sessions: sessionmaker[Session],
    new_item: NewItem,
    mailbox: Mailbox,
) -> None:
    lost = new_item(
        ItemKind.LOST, "Black leather wallet", "lost near the central station", category="wallet"
    )
    match = new_item(
        ItemKind.FOUND,
        "Found dark leather wallet",
        "black wallet at the central station platform",
        category="wallet",
    )
    distractor = new_item(ItemKind.FOUND, "Blue umbrella", "folding umbrella left in a cafe")
    far_away = new_item(
        ItemKind.FOUND, "Black leather wallet", "central station", latitude=48.85, longitude=2.35
    )
    for item_id in (match, distractor, far_away):
        broker.send_task(ENRICH_ITEM, args=[str(item_id)])
    for item_id in (match, distractor, far_away):
        wait_for(partial(enriched, sessions, item_id), what="candidate enrichment")

    broker.send_task(ENRICH_ITEM, args=[str(lost)])
    [suggested] = wait_for(lambda: matches_of(sessions, lost), what="a match")

    assert suggested.found_item_id == match
    assert suggested.lost_item_id == lost
    assert suggested.score >= STUB_MODEL.threshold
    assert suggested.text_score > 0.3
    assert matches_of(sessions, distractor) == []
    assert matches_of(sessions, far_away) == []
    # The lost item's reporter is told, through the outbox, exactly once.
    with sessions() as session:
        notice = wait_for(
            lambda: session.scalars(
                select(Notification).where(
                    Notification.match_id == suggested.id,
                    Notification.status == NotificationStatus.SENT,
                )
            ).all(),
            what="notification sent",
        )
        assert len(notice) == 1
        assert notice[0].reporter_id == item(sessions, lost).reporter_id
    # ... by e-mail, through a real SMTP server, with a link to their report.
    link = f"https://lostfound.example.org/#/items/{lost}"
    [mail] = [m for m in mailbox.messages if link in mailbox.text(m)]
    assert mail["To"] == "r@example.org"
    assert str(mail["Subject"]) == "Possible match for your report: Black leather wallet"


def test_a_report_s_new_suggestions_reach_its_owner_in_one_e_mail(
    worker: WorkerProcess,
    broker: Celery,
    sessions: sessionmaker[Session],
    new_item: NewItem,
    mailbox: Mailbox,
) -> None:
    """An office's upload may bring one owner several finds at once: one e-mail per report
    says how many, not one e-mail each; another report's suggestion is its own e-mail."""
    scarf = new_item(ItemKind.LOST, "Striped scarf, red and yellow")
    gloves = new_item(ItemKind.LOST, "Brown leather gloves")
    finds = [new_item(ItemKind.FOUND, f"Scarf found at desk {n}") for n in range(3)]
    glove = new_item(ItemKind.FOUND, "Pair of gloves")
    with sessions() as session:
        lost = {key: session.get_one(Item, key) for key in (scarf, gloves)}
        created = record_matches(
            session,
            [
                (lost[scarf], [suggestion(key) for key in finds]),
                (lost[gloves], [suggestion(glove)]),
            ],
        )
        session.commit()
    broker.send_task(NOTIFY_MATCHES, args=[[str(match_id) for match_id in created]])
    with sessions() as session:
        wait_for(
            lambda: session.scalars(
                select(Notification).where(
                    Notification.match_id.in_(created),
                    Notification.status == NotificationStatus.SENT,
                )
            ).all()[3:],
            what="the four notices sent",
        )
    about = {
        title: [m for m in mailbox.messages if title in str(m["Subject"])]
        for title in ("Striped scarf", "Brown leather gloves")
    }
    [scarf_mail] = about["Striped scarf"]
    assert str(scarf_mail["Subject"]) == (
        "3 possible matches for your report: Striped scarf, red and yellow"
    )
    assert f"/#/items/{scarf}" in mailbox.text(scarf_mail)
    [gloves_mail] = about["Brown leather gloves"]
    assert str(gloves_mail["Subject"]) == "Possible match for your report: Brown leather gloves"


def notice_to_owner(
    sessions: sessionmaker[Session],
    broker: Celery,
    mailbox: Mailbox,
    items: tuple[uuid.UUID, uuid.UUID],
    title: str,
    notice: Callable[[Session, Match], tuple[str, dict[str, Any]]],
) -> EmailMessage:
    """A match of the (lost, found) items and the notice `notice` writes for the owner (its kind
    and payload), in the outbox as the API leaves it; the e-mail the worker delivers."""
    lost, found = items
    with sessions() as session:
        match = Match(lost_item_id=lost, found_item_id=found, score=0.9)
        session.add(match)
        session.flush()
        kind, payload = notice(session, match)
        session.add(
            Notification(
                match_id=match.id,
                reporter_id=session.get_one(Item, lost).reporter_id,
                kind=kind,
                payload={"item_id": str(lost), "title": title, **payload},
            )
        )
        session.commit()
        match_id = match.id
    broker.send_task(NOTIFY_MATCH, args=[str(match_id)])
    return wait_for(
        lambda: [m for m in mailbox.messages if title in str(m["Subject"])],
        what=f"the e-mail about {title}",
    )[0]


def test_a_relayed_message_reaches_the_other_side_by_e_mail(
    worker: WorkerProcess,
    broker: Celery,
    sessions: sessionmaker[Session],
    new_item: NewItem,
    mailbox: Mailbox,
) -> None:
    lost = new_item(ItemKind.LOST, "Red scarf", "wool", contact="+31 6 1111 2222")
    found = new_item(ItemKind.FOUND, "Scarf found", "red wool scarf", contact="+31 6 3333 4444")

    def relayed(session: Session, match: Match) -> tuple[str, dict[str, Any]]:
        message = MatchMessage(match_id=match.id, sender_side="found", body="It is at the desk.")
        session.add(message)
        session.flush()
        return message_kind(message.id), {"text": message.body}

    mail = notice_to_owner(sessions, broker, mailbox, (lost, found), "Red scarf", relayed)
    assert str(mail["Subject"]) == "New message about: Red scarf"
    assert "It is at the desk." in mailbox.text(mail)
    assert "3333" not in mailbox.text(mail)  # the finder's contact stays theirs


def test_a_desk_s_shipment_reaches_the_owner_by_e_mail_with_its_tracking_number(
    worker: WorkerProcess,
    broker: Celery,
    sessions: sessionmaker[Session],
    new_item: NewItem,
    mailbox: Mailbox,
) -> None:
    """The notice the API writes when a desk ships an item (services/desk.hand_over)."""
    lost = new_item(ItemKind.LOST, "Blue rucksack", "laptop inside", contact="+31 6 1111 2222")
    found = new_item(ItemKind.FOUND, "Rucksack found", "blue, laptop", contact="desk@example.org")
    mail = notice_to_owner(
        sessions,
        broker,
        mailbox,
        (lost, found),
        "Blue rucksack",
        lambda _session, _match: (SHIPPED, {"tracking_number": "3SX9"}),
    )
    assert str(mail["Subject"]) == "On its way to you: Blue rucksack"
    assert "Tracking number: 3SX9" in mailbox.text(mail)
    assert f"/#/items/{lost}" in mailbox.text(mail)


def test_vision_compares_the_shortlist_s_photos_only(
    worker: WorkerProcess,
    broker: Celery,
    sessions: sessionmaker[Session],
    new_item: NewItem,
    worker_env: dict[str, str],
    stubs: tuple[str, StubState],
) -> None:
    _, state = stubs
    found = new_item(ItemKind.FOUND, "Grey backpack", "on the train", category="backpack")
    attach_photo(sessions, worker_env, found, "found-bag.png", b"\x89PNG the same bag")
    others = [
        new_item(ItemKind.FOUND, "Grey backpack", f"left at gate {n}", category="backpack")
        for n in range(25)
    ]
    for n, other in enumerate(others):
        attach_photo(sessions, worker_env, other, f"other-{n}.png", f"another bag {n}".encode())
    broker.send_task(ENRICH_ITEMS, args=[[str(i) for i in [found, *others]]])
    for item_id in [found, *others]:
        wait_for(partial(matched, sessions, item_id), what="candidates enriched and matched")
    records_before = state.similarity_records

    lost = new_item(ItemKind.LOST, "Grey backpack", "lost on the train", category="backpack")
    attach_photo(sessions, worker_env, lost, "lost-bag.png", b"\x89PNG the same bag")
    broker.send_task(ENRICH_ITEM, args=[str(lost)])
    suggested = wait_for(lambda: matches_of(sessions, lost), what="a match")

    # 26 candidates with photos; vision sees at most PHOTO_CHECKS of them, the right one first.
    assert 0 < state.similarity_records - records_before <= WorkerSettings().photo_checks
    best = max(suggested, key=lambda match: match.score)
    assert best.found_item_id == found
    assert best.image_score == 1.0  # the stub's "same photo"


def test_running_a_task_twice_leaves_one_match_and_one_notification(
    worker: WorkerProcess, broker: Celery, sessions: sessionmaker[Session], new_item: NewItem
) -> None:
    lost = new_item(ItemKind.LOST, "Red bicycle", "red city bike with a basket", category="bicycle")
    found = new_item(
        ItemKind.FOUND, "Red bike", "red city bicycle with a basket", category="bicycle"
    )
    broker.send_task(ENRICH_ITEM, args=[str(found)])
    wait_for(lambda: enriched(sessions, found), what="found enrichment")
    broker.send_task(ENRICH_ITEM, args=[str(lost)])
    wait_for(lambda: matches_of(sessions, lost), what="first match")

    for _ in range(3):
        broker.send_task(MATCH_ITEM, args=[str(lost)])
        broker.send_task(MATCH_ITEM, args=[str(found)])
        broker.send_task(ENRICH_ITEM, args=[str(lost)])
    # The last task queued: once it ran, all before it did (one worker process, FIFO).
    marker = new_item(ItemKind.FOUND, "Marker", "marker")
    broker.send_task(ENRICH_ITEM, args=[str(marker)])
    wait_for(lambda: enriched(sessions, marker), what="marker")

    matches = matches_of(sessions, lost)
    assert len(matches) == 1
    with sessions() as session:
        count = session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.match_id == matches[0].id)
        )
    assert count == 1


def test_flaky_nlp_is_retried_until_done(
    worker: WorkerProcess,
    broker: Celery,
    sessions: sessionmaker[Session],
    new_item: NewItem,
    stubs: tuple[str, StubState],
) -> None:
    _, state = stubs
    state.fail_embed = 2
    item_id = new_item(ItemKind.LOST, "Green scarf", "woollen scarf")

    broker.send_task(ENRICH_ITEM, args=[str(item_id)])
    done = wait_for(lambda: enriched(sessions, item_id), what="enrichment after retries")

    assert done.enrichment_state == EnrichmentState.DONE
    assert done.enrichment_attempts == 3
    assert state.fail_embed == 0


def test_nlp_down_then_back_every_report_ends_done(
    worker: WorkerProcess,
    broker: Celery,
    sessions: sessionmaker[Session],
    new_item: NewItem,
    stubs: tuple[str, StubState],
) -> None:
    """NLP answers 500 for longer than the task's retries last: each item is recorded `failed`
    with a reason fit for its owner and a retry time; once NLP is back, the sweep retries them
    and every report ends `done`. Before, they stayed `failed` for good."""
    _, state = stubs
    state.dead = True
    try:
        items = [
            new_item(ItemKind.FOUND, "Gold ring", "found at the pool"),
            new_item(ItemKind.LOST, "Silver bracelet", "lost at the gym"),
        ]
        for item_id in items:
            broker.send_task(ENRICH_ITEM, args=[str(item_id)])
        failed = [
            wait_for(partial(in_state, sessions, item_id, EnrichmentState.FAILED), what="failure")
            for item_id in items
        ]
    finally:
        state.dead = False

    for record in failed:
        assert record.enrichment_error == "the text service was unavailable; retrying automatically"
        assert record.retry_at is not None
    done = [
        wait_for(partial(in_state, sessions, item_id, EnrichmentState.DONE), what="recovery")
        for item_id in items
    ]
    assert all(record.enrichment_error is None for record in done)
    assert all(record.enrichment_attempts > 4 for record in done)  # retried by the sweep


def test_a_report_nlp_refuses_fails_for_good_with_a_reason_for_its_owner(
    worker: WorkerProcess,
    broker: Celery,
    sessions: sessionmaker[Session],
    new_item: NewItem,
    stubs: tuple[str, StubState],
) -> None:
    _, state = stubs
    state.refuse = True
    try:
        item_id = new_item(ItemKind.FOUND, "Umbrella", "blue umbrella")
        broker.send_task(ENRICH_ITEM, args=[str(item_id)])
        failed = wait_for(
            partial(in_state, sessions, item_id, EnrichmentState.FAILED), what="failure"
        )
    finally:
        state.refuse = False

    assert failed.enrichment_error == (
        "the text service refused it: texts[0] is too long; not retried"
    )
    assert failed.retry_at is None
    assert failed.enrichment_attempts == 1  # a refusal is not retried


def in_state(
    sessions: sessionmaker[Session], item_id: uuid.UUID, wanted: EnrichmentState
) -> Item | None:
    found = item(sessions, item_id)
    return found if found.enrichment_state == wanted else None


def test_sweep_requeues_an_item_created_while_the_broker_was_down(
    worker: WorkerProcess, sessions: sessionmaker[Session], new_item: NewItem
) -> None:
    # What the API leaves behind when it could not reach the broker: a pending item, no task.
    item_id = new_item(ItemKind.LOST, "Brown dog", "small brown dog, answers to Rex")
    with sessions() as session:
        session.execute(
            update(Item)
            .where(Item.id == item_id)
            .values(updated_at=datetime.now(UTC) - timedelta(hours=1))
        )
        session.commit()

    done = wait_for(lambda: enriched(sessions, item_id), timeout_s=60, what="sweep")

    assert done.enrichment_state == EnrichmentState.DONE


def test_a_killed_workers_task_is_redelivered_and_completes(
    worker: WorkerProcess,
    broker: Celery,
    sessions: sessionmaker[Session],
    new_item: NewItem,
    stubs: tuple[str, StubState],
) -> None:
    _, state = stubs
    item_id = new_item(ItemKind.FOUND, "Grey tabby cat", "found in the garden")

    with embedding_held(state):
        broker.send_task(ENRICH_ITEM, args=[str(item_id)])
        assert state.embed_arrived.wait(60), "the task never reached the NLP service"
        worker.kill()  # SIGKILL, mid-task: the message was never acknowledged
    assert item(sessions, item_id).enrichment_state == EnrichmentState.PENDING

    worker.start()
    done = wait_for(lambda: enriched(sessions, item_id), timeout_s=90, what="redelivery")

    assert done.enrichment_state == EnrichmentState.DONE
    assert done.enrichment_attempts == 2


def test_a_task_over_its_time_limit_is_stopped_and_retried(
    worker: WorkerProcess,
    broker: Celery,
    sessions: sessionmaker[Session],
    new_item: NewItem,
    stubs: tuple[str, StubState],
) -> None:
    # NLP hangs (paused) longer than TASK_SOFT_TIME_LIMIT_S (6 s here): the task is stopped,
    # not left holding a worker, and its retry completes once NLP answers again.
    _, state = stubs
    item_id = new_item(ItemKind.FOUND, "Yellow raincoat", "found on a bench")
    with embedding_held(state):
        broker.send_task(ENRICH_ITEM, args=[str(item_id)])
        assert state.embed_arrived.wait(60), "the task never reached the NLP service"
        first = state.embed_calls
        # While NLP still hangs, the time limit stops the task and its retry calls NLP again.
        wait_for(lambda: state.embed_calls > first, what="the retry after the time limit")

    done = wait_for(partial(in_state, sessions, item_id, EnrichmentState.DONE), what="retry")
    assert done.enrichment_attempts >= 2


def test_killed_redis_connections_lose_no_report(
    worker: WorkerProcess,
    broker: Celery,
    sessions: sessionmaker[Session],
    new_item: NewItem,
    redis_url: str,
) -> None:
    items = [new_item(ItemKind.LOST, f"Blue backpack {n}", "lost on the tram") for n in range(3)]
    # Every client connection Redis has (the worker's, the sender's) is cut.
    killed = redis.Redis.from_url(redis_url).client_kill_filter(_type="normal", skipme=True)
    assert int(killed) >= 1  # type: ignore[arg-type]

    for item_id in items:
        broker.send_task(ENRICH_ITEM, args=[str(item_id)])
    done = [wait_for(partial(enriched, sessions, i), what="enrichment") for i in items]

    assert [record.enrichment_state for record in done] == [EnrichmentState.DONE] * 3


def test_a_change_during_enrichment_is_not_overwritten_by_the_stale_result(
    worker: WorkerProcess,
    broker: Celery,
    sessions: sessionmaker[Session],
    new_item: NewItem,
    stubs: tuple[str, StubState],
) -> None:
    _, state = stubs
    item_id = new_item(ItemKind.LOST, "Blue umbrella", "folding umbrella")
    with embedding_held(state):
        broker.send_task(ENRICH_ITEM, args=[str(item_id)])
        assert state.embed_arrived.wait(60), "the task never reached the NLP service"
        # The owner corrects the report while the first enrichment is under way (as the API
        # does).
        with sessions() as session:
            changed = session.get_one(Item, item_id)
            changed.title, changed.description = "Red bicycle", "city bike with a basket"
            changed.request_enrichment()
            session.commit()
        broker.send_task(ENRICH_ITEM, args=[str(item_id)])

    def enriched_for_the_new_text() -> Item | None:
        found = item(sessions, item_id)
        return found if found.enrichment_state == EnrichmentState.DONE else None

    done = wait_for(enriched_for_the_new_text, what="enrichment of the corrected report")
    assert done.enrichment_generation == 1
    [record] = match_record.unpack([done.match_record or b""], 384)
    stored = match_record.unit_vectors(record["vector"])
    assert float(stored @ np.array(embed("Red bicycle. city bike with a basket"))) > 0.99
    assert float(stored @ np.array(embed("Blue umbrella. folding umbrella"))) < 0.2


def test_reports_matched_by_an_older_matching_model_are_matched_again_by_the_sweep(
    worker: WorkerProcess, broker: Celery, sessions: sessionmaker[Session], new_item: NewItem
) -> None:
    lost = new_item(ItemKind.LOST, "Yellow kayak paddle", "carbon paddle, yellow blades")
    found = new_item(ItemKind.FOUND, "Kayak paddle", "yellow carbon paddle on the jetty")
    broker.send_task(ENRICH_ITEM, args=[str(found)])
    wait_for(lambda: enriched(sessions, found), what="found enrichment")
    broker.send_task(ENRICH_ITEM, args=[str(lost)])
    [suggested] = wait_for(lambda: matches_of(sessions, lost), what="a match")
    wait_for(lambda: matched(sessions, lost), what="matching done")
    assert item(sessions, lost).matched_by == STUB_MODEL.id

    # As a refit leaves them: matched, and scored, by the model the worker used before.
    with sessions() as session:
        session.execute(
            update(Item)
            .where(Item.id.in_([lost, found]))
            .values(matched_by="logistic-before", updated_at=utcnow() - timedelta(hours=1))
        )
        session.execute(update(Match).where(Match.id == suggested.id).values(score=0.0))
        session.commit()

    rescored = wait_for(
        lambda: [m for m in matches_of(sessions, lost) if m.score > 0] or None,
        timeout_s=60,
        what="the suggestion rescored by the sweep's matching",
    )
    assert [m.id for m in rescored] == [suggested.id]  # the same suggestion, not a new one
    # The model's score again (scored from either report's side, so not to the last digit).
    assert rescored[0].score == pytest.approx(suggested.score, abs=0.01)
    wait_for(
        lambda: {item(sessions, key).matched_by for key in (lost, found)} == {STUB_MODEL.id},
        what="both reports matched by the worker's model",
    )


def test_a_new_embedding_model_re_embeds_stored_reports(
    worker: WorkerProcess,
    broker: Celery,
    sessions: sessionmaker[Session],
    new_item: NewItem,
    stubs: tuple[str, StubState],
) -> None:
    # Last in this module: every report here is embedded again under the new model.
    _, state = stubs
    item_id = new_item(ItemKind.FOUND, "Red scarf", "wool scarf found on a bench")
    broker.send_task(ENRICH_ITEM, args=[str(item_id)])
    assert wait_for(lambda: enriched(sessions, item_id), what="enrichment").embedding_model == (
        "stub-bow"
    )
    calls = state.embed_calls

    state.model = "stub-bow-2"  # NLP restarted on another runtime: its vectors are another model's
    try:
        again = wait_for(
            lambda: (found := item(sessions, item_id)).embedding_model == "stub-bow-2" and found,
            timeout_s=90,
            what="re-embedding by the sweep",
        )
    finally:
        state.model = "stub-bow"

    assert again.enrichment_state == EnrichmentState.DONE
    assert state.embed_calls > calls  # the text went through NLP again, not its old vector
