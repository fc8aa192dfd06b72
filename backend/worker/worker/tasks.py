"""The worker's tasks, addressed by the stable names in backend.common.jobs.

Every task is idempotent: running it twice leaves one match and one notification. Transient
failures (a service or the database unreachable, 5xx) are retried with exponential backoff and
jitter up to MAX_RETRIES; then the item is marked `failed` with the reason.
"""

from __future__ import annotations

import logging
import random
import uuid
from datetime import timedelta
from typing import Any, cast

from celery import Task
from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import OperationalError

from backend.common.jobs import ENRICH_ITEM, MATCH_ITEM, NOTIFY_MATCH, SWEEP_PENDING
from backend.common.models import (
    EnrichmentState,
    Item,
    ItemStatus,
    Notification,
    NotificationStatus,
    Reporter,
)
from backend.common.models.soft_delete import utcnow
from backend.worker.worker.app import celery_app, resources, settings
from backend.worker.worker.clients import ServiceError
from backend.worker.worker.enrichment import enrichment_of
from backend.worker.worker.matching import find_matches, record_matches

log = logging.getLogger(__name__)

SWEEP_BATCH = 500


def backoff_s(retries: int) -> float:
    """Exponential backoff with jitter: spreads retries of many tasks after an outage."""
    ceiling = min(settings.retry_backoff_max_s, settings.retry_backoff_s * 2**retries)
    return ceiling * random.uniform(0.5, 1.0)


def is_transient(exc: Exception) -> bool:
    return isinstance(exc, OperationalError) or (isinstance(exc, ServiceError) and exc.transient)


def retry_or_fail(
    task: Task, exc: Exception, item_id: uuid.UUID | None, generation: int | None = None
) -> str:
    if is_transient(exc) and task.request.retries < settings.max_retries:
        log.warning("retrying %s (attempt %d): %s", task.name, task.request.retries + 1, exc)
        raise task.retry(exc=exc, countdown=backoff_s(task.request.retries))
    if item_id is not None:
        failed = update(Item).where(Item.id == item_id)
        if generation is not None:  # a newer request for enrichment is not this failure's
            failed = failed.where(Item.enrichment_generation == generation)
        with resources().sessions() as session:
            session.execute(
                failed.values(
                    enrichment_state=EnrichmentState.FAILED, enrichment_error=str(exc)[:2000]
                ).execution_options(synchronize_session=False)
            )
            session.commit()
    log.error("%s gave up on %s: %s", task.name, item_id, exc)
    return "failed"


@celery_app.task(name=ENRICH_ITEM, bind=True, max_retries=None)
def enrich_item(self: Task, item_id: str) -> str:
    key = uuid.UUID(item_id)
    res = resources()
    generation: int | None = None
    try:
        with res.sessions() as session:
            item = session.get(Item, key)
            if item is None:
                return "gone"
            if item.enrichment_state != EnrichmentState.DONE:
                generation = item.enrichment_generation
                item.enrichment_attempts += 1
                session.commit()
                values = enrichment_of(item, settings, res.nlp, res.vision)
                # Stored only if nobody asked for a newer enrichment while this one ran (a
                # PATCH, a new photo): that request's own job stores the newer result.
                stored = session.execute(
                    update(Item)
                    .where(Item.id == key, Item.enrichment_generation == generation)
                    .values(**values)
                    .execution_options(synchronize_session=False)
                )
                session.commit()
                if not cast(CursorResult[Any], stored).rowcount:
                    log.info("item %s changed while being enriched; the newer job stores it", key)
                    return "superseded"
    except Exception as exc:
        return retry_or_fail(self, exc, key, generation)
    celery_app.send_task(MATCH_ITEM, args=[item_id])
    return "done"


@celery_app.task(name=MATCH_ITEM, bind=True, max_retries=None)
def match_item(self: Task, item_id: str) -> list[str]:
    key = uuid.UUID(item_id)
    res = resources()
    try:
        with res.sessions() as session:
            item = session.get(Item, key)
            if (
                item is None
                or item.status != ItemStatus.OPEN
                or item.enrichment_state != EnrichmentState.DONE
            ):
                return []
            suggestions = find_matches(session, item, settings, res.vision)
            created = record_matches(session, item, suggestions, item.embedding_model)
            session.commit()
    except Exception as exc:
        retry_or_fail(self, exc, None)
        return []
    for match_id in created:
        celery_app.send_task(NOTIFY_MATCH, args=[str(match_id)])
    log.info("item %s: %d suggestions, %d new", item_id, len(suggestions), len(created))
    return [str(match_id) for match_id in created]


@celery_app.task(name=NOTIFY_MATCH, bind=True, max_retries=None)
def notify_match(self: Task, match_id: str) -> int:
    """Deliver the match's pending notifications; sent ones are never sent again."""
    res = resources()
    delivered = 0
    with res.sessions() as session:
        pending = session.scalars(
            select(Notification)
            .where(
                Notification.match_id == uuid.UUID(match_id),
                Notification.status == NotificationStatus.PENDING,
            )
            .with_for_update(skip_locked=True)
        ).all()
        failure: Exception | None = None
        for notification in pending:
            reporter = session.get_one(Reporter, notification.reporter_id)
            notification.attempts += 1
            try:
                res.delivery.deliver(notification, reporter)
            except Exception as exc:
                failure = exc
                notification.error = str(exc)[:2000]
                if notification.attempts > settings.max_retries:
                    notification.status = NotificationStatus.FAILED
                continue
            notification.status = NotificationStatus.SENT
            notification.sent_at = utcnow()
            notification.error = None
            delivered += 1
        session.commit()
    if failure is not None and self.request.retries < settings.max_retries:
        raise self.retry(exc=failure, countdown=backoff_s(self.request.retries))
    return delivered


@celery_app.task(name=SWEEP_PENDING)
def sweep_pending() -> dict[str, Any]:
    """Re-queue work that no task is doing: items left `pending` (the broker was down when the
    API tried) and undelivered notifications. Each is re-queued at most once per period."""
    res = resources()
    cutoff = utcnow() - timedelta(seconds=settings.stale_pending_s)
    with res.sessions() as session:
        items = session.scalars(
            select(Item.id)
            .where(Item.enrichment_state == EnrichmentState.PENDING, Item.updated_at < cutoff)
            .limit(SWEEP_BATCH)
        ).all()
        matches = session.scalars(
            select(Notification.match_id)
            .where(
                Notification.status == NotificationStatus.PENDING, Notification.updated_at < cutoff
            )
            .distinct()
            .limit(SWEEP_BATCH)
        ).all()
        if items:
            session.execute(update(Item).where(Item.id.in_(items)).values(updated_at=utcnow()))
        if matches:
            session.execute(
                update(Notification)
                .where(Notification.match_id.in_(matches))
                .values(updated_at=utcnow())
            )
        session.commit()
    for item_id in items:
        celery_app.send_task(ENRICH_ITEM, args=[str(item_id)])
    for match_id in matches:
        celery_app.send_task(NOTIFY_MATCH, args=[str(match_id)])
    if items or matches:
        log.info("sweep re-queued %d items and %d notifications", len(items), len(matches))
    return {"items": len(items), "notifications": len(matches)}
