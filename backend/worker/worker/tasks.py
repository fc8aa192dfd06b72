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
from contextlib import suppress
from datetime import timedelta
from typing import Any, cast

from celery import Task
from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy import CursorResult, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from backend.common.clock import utcnow
from backend.common.jobs import (
    DEFAULT_QUEUE,
    ENRICH_ITEM,
    ENRICH_ITEMS,
    MATCH_ITEM,
    MATCH_ITEMS,
    NOTIFY_MATCH,
    NOTIFY_MATCHES,
    QUEUES,
)
from backend.common.models import (
    EnrichmentState,
    Item,
    ItemStatus,
    Notification,
    NotificationStatus,
    Reporter,
    TransitionRefused,
)
from backend.worker.worker import metrics
from backend.worker.worker.app import celery_app, resources, settings
from backend.worker.worker.clients import ServiceError
from backend.worker.worker.enrichment import enrich
from backend.worker.worker.match_store import record_matches
from backend.worker.worker.matching import find_matches
from backend.worker.worker.notify import Undeliverable, deliver, one_mail_each

log = logging.getLogger(__name__)


def backoff_s(retries: int) -> float:
    """Exponential backoff with jitter: spreads retries of many tasks after an outage."""
    ceiling = min(settings.retry_backoff_max_s, settings.retry_backoff_s * 2**retries)
    return ceiling * random.uniform(0.5, 1.0)


def is_transient(exc: Exception) -> bool:
    return isinstance(exc, OperationalError | SoftTimeLimitExceeded) or (
        isinstance(exc, ServiceError) and exc.transient
    )


def why_it_failed(exc: Exception) -> tuple[str, str]:
    """Why enrichment failed: a few fixed words for the operators' metrics, and words for the
    item's owner (no URLs, hosts or SQL)."""
    if isinstance(exc, ServiceError):
        return exc.kind, exc.reason
    if isinstance(exc, OperationalError):
        return "database_unavailable", "the database was unavailable"
    if isinstance(exc, SoftTimeLimitExceeded):
        return "time_limit", "it took too long"
    return "unexpected", "an unexpected error (logged for the operators)"


def count_failures(exc: Exception, reports: int = 1) -> None:
    metrics.ENRICHMENT_FAILURES.labels(why_it_failed(exc)[0]).inc(reports)


def retry_or_fail(
    task: Task, exc: Exception, generations: dict[uuid.UUID, int | None]
) -> dict[str, int]:
    """Retry a transient failure in the task; when its retries run out, record it on each item
    with a time for the sweep to try again (backoff, up to MAX_ATTEMPTS). A permanent failure
    is recorded for good. Either way the owner sees the reason. `generations`: the enrichment
    generation each item was at (None: not read yet)."""
    transient = is_transient(exc)
    count_failures(exc, len(generations))
    if transient and task.request.retries < settings.max_retries:
        log.warning("retrying %s (attempt %d): %s", task.name, task.request.retries + 1, exc)
        raise task.retry(exc=exc, countdown=backoff_s(task.request.retries))
    log.error("%s gave up on %d items: %s", task.name, len(generations), exc)
    try:
        with resources().sessions() as session:
            for item_id, generation in generations.items():
                _record_failure(session, item_id, generation, exc, transient)
            session.commit()
    except OperationalError:
        # The database itself is down: the items stay pending and the sweep finds them later.
        log.error(
            "could not record the failure of %d items: the database is unavailable",
            len(generations),
        )
    return {"failed": len(generations)}


def _record_failure(
    session: Session, item_id: uuid.UUID, generation: int | None, exc: Exception, transient: bool
) -> None:
    item = session.get(Item, item_id)
    if item is None or (generation is not None and item.enrichment_generation != generation):
        return  # gone, or a newer request for enrichment is not this failure's
    retry_at = None
    if transient and item.enrichment_attempts < settings.max_attempts:
        sweeps = max(0, item.enrichment_attempts // (settings.max_retries + 1) - 1)
        delay = min(settings.retry_backoff_max_s, settings.sweep_retry_s * 2**sweeps)
        retry_at = utcnow() + timedelta(seconds=delay)
    _, reason = why_it_failed(exc)
    with suppress(TransitionRefused):  # another job for this request succeeded: it stands
        item.fail_enrichment(
            f"{reason}; retrying automatically" if retry_at else f"{reason}; not retried",
            retry_at,
        )


def time_limits() -> dict[str, Any]:
    return {
        "soft_time_limit": settings.task_soft_time_limit_s,
        "time_limit": settings.task_time_limit_s,
    }


def _queue_of(task: Task) -> str:
    """The queue this task came from: its follow-up jobs go there too (bulk stays bulk)."""
    delivery = task.request.delivery_info or {}
    queue = delivery.get("routing_key")
    return queue if queue in QUEUES else DEFAULT_QUEUE


@celery_app.task(name=ENRICH_ITEMS, bind=True, max_retries=None, **time_limits())
def enrich_items(task: Task, item_ids: list[str]) -> dict[str, int]:
    """Enrich a batch of reports (one NLP call), then queue their matching."""
    return _enrich(task, item_ids)


@celery_app.task(name=ENRICH_ITEM, bind=True, max_retries=None, **time_limits())
def enrich_item(task: Task, item_id: str) -> dict[str, int]:
    """A message queued before batches: the same work for one report."""
    return _enrich(task, [item_id])


def _enrich(task: Task, item_ids: list[str]) -> dict[str, int]:
    keys = [uuid.UUID(item_id) for item_id in item_ids]
    res = resources()
    generations: dict[uuid.UUID, int | None] = dict.fromkeys(keys)
    try:
        with res.sessions() as session:
            items = [
                item
                for item in session.scalars(select(Item).where(Item.id.in_(keys))).unique()
                if item.enrichment_state != EnrichmentState.DONE
            ]
            for item in items:
                generations[item.id] = item.enrichment_generation
                item.enrichment_attempts += 1
            session.commit()
            if not items:
                return {"done": 0}
            outcome = enrich(items, settings, res.nlp, res.vision)
            stored = []
            for item_id, values in outcome.values.items():
                # Stored only if nobody asked for a newer enrichment while this one ran (a
                # PATCH, a new photo): that request's own job stores the newer result.
                generation = generations[item_id]
                assert generation is not None
                update_ = Item.store_enrichment(item_id, generation, values)
                if cast(CursorResult[Any], session.execute(update_)).rowcount:
                    stored.append(item_id)
            session.commit()
    except Exception as exc:
        return retry_or_fail(task, exc, generations)
    superseded = len(outcome.values) - len(stored)
    if superseded:
        log.info("%d items changed while being enriched; their newer jobs store them", superseded)
    if outcome.failed:
        _failed_items(task, outcome.failed, generations)
    # If this message is lost, the sweep sees matched_generation behind and sends it again.
    if stored:
        send_quietly(MATCH_ITEMS, [str(key) for key in stored], _queue_of(task))
    return {"done": len(stored), "failed": len(outcome.failed)}


def _failed_items(
    task: Task, failed: dict[uuid.UUID, ServiceError], generations: dict[uuid.UUID, int | None]
) -> None:
    """Items of a batch that failed on their own: a permanent failure is recorded; transient
    ones are retried as a batch of their own (the rest of the batch is stored)."""
    for exc in failed.values():
        count_failures(exc)
    permanent = {key: exc for key, exc in failed.items() if not exc.transient}
    if permanent:
        with resources().sessions() as session:
            for key, exc in permanent.items():
                _record_failure(session, key, generations[key], exc, transient=False)
            session.commit()
    transient = [str(key) for key, exc in failed.items() if exc.transient]
    if transient:
        send_quietly(ENRICH_ITEMS, transient, _queue_of(task), countdown=settings.retry_backoff_s)


@celery_app.task(name=MATCH_ITEMS, bind=True, max_retries=None, **time_limits())
def match_items(task: Task, item_ids: list[str]) -> list[str]:
    """Match a batch of enriched reports (one candidate query per kind); returns new matches."""
    return _match(task, item_ids)


@celery_app.task(name=MATCH_ITEM, bind=True, max_retries=None, **time_limits())
def match_item(task: Task, item_id: str) -> list[str]:
    """A message queued before batches: the same work for one report."""
    return _match(task, [item_id])


def _match(task: Task, item_ids: list[str]) -> list[str]:
    keys = [uuid.UUID(item_id) for item_id in item_ids]
    res = resources()
    try:
        with res.sessions() as session:
            items = [
                item
                for item in session.scalars(select(Item).where(Item.id.in_(keys))).unique()
                if item.status == ItemStatus.OPEN and item.enrichment_state == EnrichmentState.DONE
            ]
            with metrics.MATCH_SECONDS.time():
                found = find_matches(session, items, settings, res.vision)
            for item in items:
                if item.matched_generation is None and found[item.id]:
                    metrics.first_suggestion(item.kind.value, _queue_of(task), item.created_at)
            created = record_matches(session, [(item, found[item.id]) for item in items])
            if items:
                # Matching for this enrichment is done (one transaction with its matches).
                model = settings.model().id
                session.execute(
                    Item.matching_done(), [item.matching_done_row(model) for item in items]
                )
            session.commit()
    except Exception as exc:
        if is_transient(exc) and task.request.retries < settings.max_retries:
            raise task.retry(exc=exc, countdown=backoff_s(task.request.retries)) from exc
        # Out of retries: matched_generation stays behind, so the sweep sends it again.
        log.error("matching %d items failed, the sweep retries them: %s", len(keys), exc)
        return []
    if created:
        # One delivery job for the batch's new matches (a report's several in one e-mail), on
        # the batch's queue: an office file's notices never hold up a person's report.
        send_quietly(NOTIFY_MATCHES, [str(match_id) for match_id in created], _queue_of(task))
    suggested = sum(len(s) for s in found.values())
    log.info("%d items: %d suggestions, %d new", len(items), suggested, len(created))
    return [str(match_id) for match_id in created]


def send_quietly(
    task_name: str, argument: str | list[str], queue: str = DEFAULT_QUEUE, countdown: float = 0
) -> None:
    """Queue a follow-up job; if the broker refuses, the sweep finds the work from its state."""
    try:
        celery_app.send_task(task_name, args=[argument], queue=queue, countdown=countdown or None)
    except Exception as exc:
        log.warning("could not queue %s for %s (the sweep will): %s", task_name, argument, exc)


@celery_app.task(name=NOTIFY_MATCHES, bind=True, max_retries=None, **time_limits())
def notify_matches(task: Task, match_ids: list[str]) -> int:
    """Deliver the pending notices of these matches; sent ones are never sent again."""
    return _notify(task, [uuid.UUID(match_id) for match_id in match_ids])


@celery_app.task(name=NOTIFY_MATCH, bind=True, max_retries=None, **time_limits())
def notify_match(task: Task, match_id: str) -> int:
    """One match's pending notices (the API's request, and messages queued before batches)."""
    return _notify(task, [uuid.UUID(match_id)])


def _notify(task: Task, match_ids: list[uuid.UUID]) -> int:
    """Each e-mail (notify.one_mail_each) in a transaction of its own, its notices locked while
    it is sent: a crash sends at most that one again, and a job delivering the same notices
    beside this one skips them. Returns how many notices were delivered."""
    delivered = 0
    failure: Exception | None = None
    with resources().sessions() as session:
        pending = (
            session.execute(
                select(
                    Notification.id,
                    Notification.reporter_id,
                    Notification.kind,
                    Notification.payload,
                ).where(
                    Notification.match_id.in_(match_ids),
                    Notification.status == NotificationStatus.PENDING,
                )
            )
            .tuples()
            .all()
        )
        emails = dict(
            session.execute(
                select(Reporter.id, Reporter.email).where(
                    Reporter.id.in_({reporter_id for _, reporter_id, _, _ in pending})
                )
            )
            .tuples()
            .all()
        )
        session.rollback()  # nothing is held while e-mails are sent
        for mail in one_mail_each(pending):
            notices = session.scalars(
                select(Notification)
                .where(Notification.id.in_(mail), Notification.status == NotificationStatus.PENDING)
                .order_by(Notification.created_at)
                .with_for_update(skip_locked=True)
                .execution_options(populate_existing=True)
            ).all()
            if not notices:
                continue  # sent meanwhile, or being sent by another job
            for notification in notices:
                notification.attempts += 1
            try:
                deliver(settings, notices, emails.get(notices[0].reporter_id))
            except Undeliverable as exc:
                for notification in notices:
                    notification.error = str(exc)
                    notification.status = NotificationStatus.FAILED
            except Exception as exc:
                failure = exc
                for notification in notices:
                    notification.error = str(exc)[:2000]
                    if notification.attempts > settings.max_retries:
                        notification.status = NotificationStatus.FAILED
            else:
                for notification in notices:
                    notification.status = NotificationStatus.SENT
                    notification.sent_at = utcnow()
                    notification.error = None
                delivered += len(notices)
            session.commit()
    if failure is not None and task.request.retries < settings.max_retries:
        raise task.retry(exc=failure, countdown=backoff_s(task.request.retries))
    return delivered
