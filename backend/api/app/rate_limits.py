"""Rate limits on what a script could flood: registrations per client address, reports per
reporter, uploads per office. Counters live in Redis (shared by every API replica) or, embedded,
in memory; the `limits` library does the counting (a moving window)."""

from __future__ import annotations

import logging
import math
import time

from fastapi import HTTPException, status
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger(__name__)


class RateLimits:
    def __init__(self, storage_url: str, *, registrations: str, reports: str, batches: str) -> None:
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_url))
        self.registrations = parse(registrations)
        self.reports = parse(reports)
        self.batches = parse(batches)

    def check(self, limit: RateLimitItem, who: str) -> None:
        """Count one request of `who`; 429 with Retry-After once the limit is reached. An
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
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"too many requests: the limit is {limit}; retry in {retry_after} s",
            headers={"Retry-After": str(retry_after)},
        )
