"""Asks the worker to enrich and match an item, by task name (no worker code imported).

Sending never fails a request: if the broker is down the item simply stays `pending`, and the
worker's periodic sweep re-queues it later, so nothing is lost.
"""

from __future__ import annotations

import logging
import uuid

from backend.common.jobs import ENRICH_ITEM, make_celery
from backend.common.settings import ServiceSettings

log = logging.getLogger(__name__)


class JobQueue:
    def __init__(self, settings: ServiceSettings) -> None:
        self._celery = make_celery(settings, "lostfound-api")
        self._celery.conf.broker_connection_timeout = 2

    def request_enrichment(self, item_id: uuid.UUID) -> bool:
        try:
            self._celery.send_task(ENRICH_ITEM, args=[str(item_id)], retry=False)
        except Exception as exc:  # broker down: the sweep picks the item up later
            log.warning("could not queue enrichment of item %s: %s", item_id, exc)
            return False
        return True
