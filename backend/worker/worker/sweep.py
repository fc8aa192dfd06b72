"""The periodic sweep: it finds work whose job was lost and sends it again, and reads the queues'
lengths from the broker (the sweep waits while they are long; the metrics show them).

Nothing is dropped silently: every state a lost job leaves behind (an item left pending, a
failure whose retry time came, matching that never finished, an outdated enrichment, a photo
described by another vision extraction, matching by a model the worker no longer uses, an
undelivered notice) is one the sweep looks for.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from kombu.exceptions import ChannelError
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from backend.common.clock import utcnow
from backend.common.contracts.vision import MODEL_VERSION as VISION_MODEL_VERSION
from backend.common.jobs import (
    BULK_QUEUE,
    ENRICH_ITEMS,
    MATCH_ITEMS,
    NOTIFY_MATCHES,
    QUEUES,
    SWEEP_PENDING,
    in_batches,
)
from backend.common.models import (
    EnrichmentState,
    Item,
    ItemStatus,
    Notification,
    NotificationStatus,
)
from backend.worker.worker.app import celery_app, resources, settings
from backend.worker.worker.clients import NlpClient, ServiceError
from backend.worker.worker.rules import ENRICHMENT_VERSION
from backend.worker.worker.tasks import send_quietly, time_limits

log = logging.getLogger(__name__)

SWEEP_BATCH = 500


def _embedded_by_another_model(session: Session, nlp: NlpClient, limit: int) -> list[Item]:
    """Open reports whose vectors another model made than the one NLP serves now: vectors of two
    models are not comparable, so they are embedded again, a batch per period; the log says
    how many are left."""
    if limit <= 0:
        return []
    try:
        serving = nlp.model()
    except ServiceError as exc:
        log.info("sweep: NLP's model unknown, re-embedding waits: %s", exc)
        return []
    stale = list(
        session.scalars(select(Item).where(*Item.embedded_by_another(serving)).limit(limit)).all()
    )
    if stale:
        left = session.scalar(
            select(func.count()).select_from(Item).where(*Item.embedded_by_another(serving))
        )
        log.warning("sweep: re-embedding with %s: %d now, %d left", serving, len(stale), left)
    return stale


def _photo_described_by_another(session: Session, limit: int) -> list[Item]:
    """Open reports whose photo's record another extraction made than vision's own
    (contracts.vision.MODEL_VERSION): vision compares records of its own only, so the photo is
    described again, a batch per period; the log says how many are left."""
    if limit <= 0:
        return []
    stale = Item.photo_described_by_another(VISION_MODEL_VERSION)
    chosen = list(session.scalars(select(Item).where(*stale).limit(limit)).all())
    if chosen:
        left = session.scalar(select(func.count()).select_from(Item).where(*stale))
        log.warning(
            "sweep: describing photos again with %s: %d now, %d left",
            VISION_MODEL_VERSION,
            len(chosen),
            left,
        )
    return chosen


def _matched_by_another_model(
    session: Session, model: str, stale_before: datetime, limit: int
) -> list[uuid.UUID]:
    """Open reports whose last matching used another matching model than the worker's (a
    refit): matched again, a batch per period, so their open suggestions get the new model's
    scores and what it finds is suggested; the log says how many are left."""
    stale = (
        Item.enrichment_state == EnrichmentState.DONE,
        Item.status == ItemStatus.OPEN,
        Item.matched_generation == Item.enrichment_generation,
        or_(Item.matched_by.is_(None), Item.matched_by != model),
    )
    chosen = list(
        session.scalars(
            select(Item.id).where(*stale, Item.updated_at < stale_before).limit(limit)
        ).all()
    )
    if chosen:
        left = session.scalar(select(func.count()).select_from(Item).where(*stale))
        log.warning("sweep: matching again with %s: %d now, %d left", model, len(chosen), left)
    return chosen


def queue_depths() -> dict[str, int] | None:
    """Jobs waiting in each queue, or None if the broker cannot say."""
    try:
        with celery_app.connection_for_read() as connection:
            return {queue: _waiting(connection.default_channel, queue) for queue in QUEUES}
    except Exception as exc:
        log.warning("queue lengths unknown: %s", exc)
        return None


def queue_backlog() -> int | None:
    """Jobs waiting in all queues, or None if the broker cannot say."""
    depths = queue_depths()
    return None if depths is None else sum(depths.values())


def _waiting(channel: Any, queue: str) -> int:
    try:
        return int(channel.queue_declare(queue=queue, passive=True).message_count)
    except ChannelError:  # Redis keeps no empty list: a queue nothing waits in is not found
        return 0


@celery_app.task(name=SWEEP_PENDING, **time_limits())
def sweep_pending() -> dict[str, Any]:
    """Re-queue work whose job is gone: items left `pending` (the broker was down when the API
    tried), transient failures whose retry time came, enriched items whose matching never
    finished, items enriched by an older version, embedded by another model than NLP's or with a
    photo described by another vision extraction, items matched by another matching model than
    the worker's, and undelivered notifications. Each is re-queued at most once per period, and
    only when the queue has drained: under a backlog a waiting job is not a lost one."""
    backlog = queue_backlog()
    if backlog:
        log.info("sweep: %d jobs still queued; nothing is re-queued meanwhile", backlog)
        return {
            "items": 0,
            "retries": 0,
            "matching": 0,
            "outdated": 0,
            "rematch": 0,
            "notifications": 0,
            "backlog": backlog,
        }
    res = resources()
    now = utcnow()
    cutoff = now - timedelta(seconds=settings.stale_pending_s)
    with res.sessions() as session:
        pending = session.scalars(
            select(Item.id)
            .where(Item.enrichment_state == EnrichmentState.PENDING, Item.updated_at < cutoff)
            .limit(SWEEP_BATCH)
        ).all()
        retries = session.scalars(
            select(Item.id)
            .where(Item.enrichment_state == EnrichmentState.FAILED, Item.retry_at <= now)
            .limit(SWEEP_BATCH)
        ).all()
        unmatched = session.scalars(
            select(Item.id)
            .where(
                Item.enrichment_state == EnrichmentState.DONE,
                Item.status == ItemStatus.OPEN,
                or_(
                    Item.matched_generation.is_(None),
                    Item.matched_generation != Item.enrichment_generation,
                ),
                Item.updated_at < cutoff,
            )
            .limit(SWEEP_BATCH)
        ).all()
        # Enriched by an older version (rules.ENRICHMENT_VERSION: how text is read, the match
        # record's layout): enriched again, a batch per period. Until then its old record stands.
        outdated = list(
            session.scalars(
                select(Item)
                .where(
                    Item.enrichment_state == EnrichmentState.DONE,
                    Item.status == ItemStatus.OPEN,
                    Item.enrichment_version < ENRICHMENT_VERSION,
                )
                .limit(SWEEP_BATCH)
            ).all()
        )
        outdated += _embedded_by_another_model(session, res.nlp, SWEEP_BATCH - len(outdated))
        outdated += _photo_described_by_another(session, SWEEP_BATCH - len(outdated))
        outdated = list({item.id: item for item in outdated}.values())  # each once
        for item in outdated:
            item.request_enrichment()
        # After those (autoflush): a report enriched again is matched again anyway.
        rematch = _matched_by_another_model(
            session, settings.model().id, cutoff, settings.rematch_per_sweep
        )
        matches = session.scalars(
            select(Notification.match_id)
            .where(
                Notification.status == NotificationStatus.PENDING, Notification.updated_at < cutoff
            )
            .distinct()
            .limit(SWEEP_BATCH)
        ).all()
        if pending or unmatched or rematch:
            session.execute(
                update(Item)
                .where(Item.id.in_([*pending, *unmatched, *rematch]))
                .values(updated_at=now)
            )
        if retries:
            # Back to pending: the owner sees it is being worked on; the task counts attempts.
            session.execute(Item.retry_failed_enrichment(list(retries), now))
        if matches:
            session.execute(
                update(Notification)
                .where(Notification.match_id.in_(matches))
                .values(updated_at=now)
            )
        session.commit()
    # In batches, on the bulk queue: a person's new report goes first.
    again = [item.id for item in outdated]
    for task_name, keys in (
        (ENRICH_ITEMS, [*pending, *retries, *again]),
        (MATCH_ITEMS, [*unmatched, *rematch]),
    ):
        for batch in in_batches([str(key) for key in keys], settings.nlp_max_texts):
            send_quietly(task_name, batch, BULK_QUEUE)
    for batch in in_batches([str(match_id) for match_id in matches]):
        send_quietly(NOTIFY_MATCHES, batch, BULK_QUEUE)
    counts = {
        "items": len(pending),
        "retries": len(retries),
        "matching": len(unmatched),
        "outdated": len(again),
        "rematch": len(rematch),
        "notifications": len(matches),
    }
    if any(counts.values()):
        log.info("sweep re-queued %s", counts)
    return counts
