"""Rate limits on what a script could flood: registrations and sign-in links per client address,
reports, photos and messages per reporter, uploads per office. Counters live in Redis (shared by
every API replica) or, embedded, in memory; the `limits` library does the counting (a moving
window). A limit reached is a domain refusal (errors.TooManyRequests), answered 429."""

from __future__ import annotations

import logging
import math
import time

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from backend.api.app.errors import TooManyRequests

log = logging.getLogger(__name__)


class RateLimits:
    def __init__(
        self,
        storage_url: str,
        *,
        registrations: str,
        reports: str,
        batches: str,
        photos: str,
        sign_ins: str,
        messages: str,
    ) -> None:
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_url))
        self.registrations = parse(registrations)
        self.reports = parse(reports)
        self.batches = parse(batches)
        self.photos = parse(photos)
        self.sign_ins = parse(sign_ins)
        self.messages = parse(messages)

    def check(self, limit: RateLimitItem, who: str) -> None:
        """Count one request of `who`; TooManyRequests once the limit is reached. An
        unreachable counter store lets the request through (logged): availability first."""
        try:
            allowed = self._limiter.hit(limit, who)
            if allowed:
                return
            reset_at = self._limiter.get_window_stats(limit, who).reset_time
        except Exception as exc:  # the store is down: do not refuse reports for it
            log.warning("rate limit store unavailable, request allowed: %s", type(exc).__name__)
            return
        retry_after = max(1, math.ceil(reset_at - time.time()))
        raise TooManyRequests(
            f"too many requests: the limit is {limit}; retry in {retry_after} s", retry_after
        )
