"""The worker's tasks, addressed by the stable names in backend.common.jobs.

Every task is idempotent: running it twice leaves one match and one notification. Transient
failures (a service or the database unreachable, 5xx, a task over its time limit) are retried
with exponential backoff and jitter up to MAX_RETRIES; then the item is marked `failed` with the
reason and a time the sweep tries again, up to MAX_ATTEMPTS. Nothing is dropped silently: every
state a lost job leaves behind is one the sweep looks for.
"""

from __future__ import annotations

import logging
import random
import uuid
from datetime import timedelta
from typing import Any, cast

from celery import Task
from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.exc import OperationalError

from backend.common.clock import utcnow
from backend.common.jobs import DEFAULT_QUEUE, ENRICH_ITEM, MATCH_ITEM, NOTIFY_MATCH, SWEEP_PENDING
from backend.common.models import (
    EnrichmentState,
    Item,
    ItemStatus,
    Notification,
    NotificationStatus,
    Reporter,
    TransitionRefused,
)
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
    return isinstance(exc, OperationalError | SoftTimeLimitExceeded) or (
        isinstance(exc, ServiceError) and exc.transient
    )


def owner_reason(exc: Exception) -> str:
    """Why enrichment failed, in words for the item's owner: no URLs, hosts or SQL."""
    if isinstance(exc, ServiceError):
        return exc.reason
    if isinstance(exc, OperationalError):
        return "the database was unavailable"
    if isinstance(exc, SoftTimeLimitExceeded):
        return "it took too long"
    return "an unexpected error (logged for the operators)"


def retry_or_fail(
    task: Task, exc: Exception, item_id: uuid.UUID | None, generation: int | None = None
) -> str:
    """Retry a transient failure in the task; when its retries run out, record it on the item
    with a time for the sweep to try again (backoff, up to MAX_ATTEMPTS). A permanent failure
    is recorded for good. Either way the owner sees the reason."""
    transient = is_transient(exc)
    if transient and task.request.retries < settings.max_retries:
        log.warning("retrying %s (attempt %d): %s", task.name, task.request.retries + 1, exc)
        raise task.retry(exc=exc, countdown=backoff_s(task.request.retries))
    log.error("%s gave up on %s: %s", task.name, item_id, exc)
    if item_id is None:
        return "failed"
    try:
        with resources().sessions() as session:
            item = session.get(Item, item_id)
            if item is None or (
                generation is not None and item.enrichment_generation != generation
            ):
                return "failed"  # gone, or a newer request for enrichment is not this failure's
            retry_at = None
            if transient and item.enrichment_attempts < settings.max_attempts:
                sweeps = max(0, item.enrichment_attempts // (settings.max_retries + 1) - 1)
                delay = min(settings.retry_backoff_max_s, settings.sweep_retry_s * 2**sweeps)
                retry_at = utcnow() + timedelta(seconds=delay)
            reason = owner_reason(exc)
            try:
                item.fail_enrichment(
                    f"{reason}; retrying automatically" if retry_at else f"{reason}; not retried",
                    retry_at,
                )
            except TransitionRefused:
                return "failed"  # another job for this request succeeded meanwhile: it stands
            session.commit()
    except OperationalError:
        # The database itself is down: the item stays pending and the sweep finds it later.
        log.error("could not record the failure of %s: the database is unavailable", item_id)
    return "failed"


def _time_limits() -> dict[str, Any]:
    return {
        "soft_time_limit": settings.task_soft_time_limit_s,
        "time_limit": settings.task_time_limit_s,
    }


@celery_app.task(name=ENRICH_ITEM, bind=True, max_retries=None, **_time_limits())
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
                stored = session.execute(Item.store_enrichment(key, generation, values))
                session.commit()
                if not cast(CursorResult[Any], stored).rowcount:
                    log.info("item %s changed while being enriched; the newer job stores it", key)
                    return "superseded"
    except Exception as exc:
        return retry_or_fail(self, exc, key, generation)
    # If this message is lost, the sweep sees matched_generation behind and sends it again.
    send_quietly(MATCH_ITEM, item_id)
    return "done"


@celery_app.task(name=MATCH_ITEM, bind=True, max_retries=None, **_time_limits())
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
            generation = item.enrichment_generation
            suggestions = find_matches(session, item, settings, res.vision)
            created = record_matches(session, item, suggestions, item.embedding_model)
            # Matching for this enrichment is done (one transaction with its matches).
            session.execute(
                update(Item)
                .where(Item.id == key, Item.enrichment_generation == generation)
                .values(matched_generation=generation)
                .execution_options(synchronize_session=False)
            )
            session.commit()
    except Exception as exc:
        if is_transient(exc) and self.request.retries < settings.max_retries:
            raise self.retry(exc=exc, countdown=backoff_s(self.request.retries)) from exc
        # Out of retries: matched_generation stays behind, so the sweep sends it again.
        log.error("matching %s failed, the sweep retries it: %s", item_id, exc)
        return []
    for match_id in created:
        send_quietly(NOTIFY_MATCH, str(match_id))
    log.info("item %s: %d suggestions, %d new", item_id, len(suggestions), len(created))
    return [str(match_id) for match_id in created]


def send_quietly(task_name: str, argument: str) -> None:
    """Queue a follow-up job; if the broker refuses, the sweep finds the work from its state."""
    try:
        celery_app.send_task(task_name, args=[argument])
    except Exception as exc:
        log.warning("could not queue %s for %s (the sweep will): %s", task_name, argument, exc)


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


def queue_backlog() -> int | None:
    """Jobs waiting in the queue, or None if the broker cannot say."""
    try:
        with celery_app.connection_for_read() as connection:
            declared = connection.default_channel.queue_declare(queue=DEFAULT_QUEUE, passive=True)
            return int(declared.message_count)
    except Exception as exc:
        log.warning("sweep: queue length unknown: %s", exc)
        return None


@celery_app.task(name=SWEEP_PENDING)
def sweep_pending() -> dict[str, Any]:
    """Re-queue work whose job is gone: items left `pending` (the broker was down when the API
    tried), transient failures whose retry time came, enriched items whose matching never
    finished, and undelivered notifications. Each is re-queued at most once per period, and
    only when the queue has drained: under a backlog a waiting job is not a lost one."""
    backlog = queue_backlog()
    if backlog:
        log.info("sweep: %d jobs still queued; nothing is re-queued meanwhile", backlog)
        return {"items": 0, "retries": 0, "matching": 0, "notifications": 0, "backlog": backlog}
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
        matches = session.scalars(
            select(Notification.match_id)
            .where(
                Notification.status == NotificationStatus.PENDING, Notification.updated_at < cutoff
            )
            .distinct()
            .limit(SWEEP_BATCH)
        ).all()
        if pending or unmatched:
            session.execute(
                update(Item).where(Item.id.in_([*pending, *unmatched])).values(updated_at=now)
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
    for item_id in [*pending, *retries]:
        send_quietly(ENRICH_ITEM, str(item_id))
    for item_id in unmatched:
        send_quietly(MATCH_ITEM, str(item_id))
    for match_id in matches:
        send_quietly(NOTIFY_MATCH, str(match_id))
    counts = {
        "items": len(pending),
        "retries": len(retries),
        "matching": len(unmatched),
        "notifications": len(matches),
    }
    if any(counts.values()):
        log.info("sweep re-queued %s", counts)
    return counts
