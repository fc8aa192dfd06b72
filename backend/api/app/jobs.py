"""Asks the worker to enrich and match items, by task name (no worker code imported).

Sending never fails a request: if the broker is down the items simply stay `pending`, and the
worker's periodic sweep re-queues them later, so nothing is lost.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence

from backend.common.jobs import (
    BULK_QUEUE,
    DEFAULT_QUEUE,
    ENRICH_ITEMS,
    NOTIFY_MATCH,
    in_batches,
    make_celery,
)
from backend.common.settings import ServiceSettings

log = logging.getLogger(__name__)


class JobQueue:
    def __init__(self, settings: ServiceSettings) -> None:
        self._celery = make_celery(settings, "lostfound-api")
        self._celery.conf.broker_connection_timeout = 2

    def request_enrichment(self, item_ids: Sequence[uuid.UUID], *, bulk: bool = False) -> bool:
        """Queue enrichment of `item_ids`, in batches of what one NLP call takes (in order: a
        batch of neighbours is matched with one candidate query). A person's reports go to the
        default queue, an office's upload to the bulk queue."""
        queue = BULK_QUEUE if bulk else DEFAULT_QUEUE
        for batch in in_batches([str(item_id) for item_id in item_ids]):
            try:
                self._celery.send_task(ENRICH_ITEMS, args=[batch], queue=queue, retry=False)
            except Exception as exc:  # broker down: the sweep picks the items up later
                log.warning("could not queue enrichment of %d items: %s", len(item_ids), exc)
                return False
        return True

    def notify(self, match_id: uuid.UUID) -> bool:
        """Queue delivery of the match's pending notices (the outbox; the sweep re-sends what
        this could not queue)."""
        try:
            self._celery.send_task(NOTIFY_MATCH, args=[str(match_id)], retry=False)
        except Exception as exc:  # broker down: the sweep delivers the notices later
            log.warning("could not queue the notices of match %s: %s", match_id, exc)
            return False
        return True
