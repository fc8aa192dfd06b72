"""Readiness checks and the liveness/readiness probes every HTTP service mounts.

`/healthz` (liveness) answers at once and checks nothing: a restart would not cure a down
database. `/readyz` (readiness) runs every registered check, each under its own timeout, so one
hung dependency makes the service "not ready" instead of hanging the probe.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

log = logging.getLogger(__name__)

Check = Callable[[], bool | Awaitable[bool]]
ExtraFields = Callable[[], Mapping[str, Any] | Awaitable[Mapping[str, Any]]]

DEFAULT_CHECK_TIMEOUT_S = 2.0
_RESERVED_NAMES = frozenset({"ready", "overall_ok", "status"})


@dataclass(frozen=True)
class _Registered:
    check: Check
    timeout_s: float


class ReadinessRegistry:
    """Named readiness checks. A check returns a bool (sync or async) or raises."""

    def __init__(self, default_timeout_s: float = DEFAULT_CHECK_TIMEOUT_S) -> None:
        self._default_timeout_s = default_timeout_s
        self._checks: dict[str, _Registered] = {}
        # Sync checks run on their own small pool: a hung one cannot starve the event loop's
        # default executor, and a check still running from an earlier probe is not started again.
        self._executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="readiness")
        self._running: set[str] = set()
        self._lock = threading.Lock()

    def register(self, name: str, check: Check, *, timeout_s: float | None = None) -> None:
        if not name or name in _RESERVED_NAMES:
            raise ValueError(f"invalid readiness check name: {name!r}")
        if name in self._checks:
            raise ValueError(f"readiness check {name!r} is already registered")
        self._checks[name] = _Registered(check, timeout_s or self._default_timeout_s)

    async def astatus(self) -> dict[str, Any]:
        """Run every check concurrently; see `status()` for the shape."""
        names = list(self._checks)
        results = await asyncio.gather(*(self._run(name, self._checks[name]) for name in names))
        report: dict[str, Any] = dict(zip(names, results, strict=True))
        report["overall_ok"] = all(result["ok"] for result in results)
        return report

    def status(self) -> dict[str, Any]:
        """`{"<name>": {"ok", "error" (only when not ok), "duration_ms"}, ..., "overall_ok"}`.

        For synchronous callers (probe commands, the worker); async code awaits `astatus()`.
        """
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(self.astatus())
        raise RuntimeError("status() called from a running event loop; await astatus() instead")

    async def _run(self, name: str, registered: _Registered) -> dict[str, Any]:
        started = time.perf_counter()
        ok, error = False, None
        try:
            ok = bool(
                await asyncio.wait_for(self._invoke(name, registered.check), registered.timeout_s)
            )
            if not ok:
                error = "check reported not ready"
        except TimeoutError:
            error = f"timed out after {registered.timeout_s:g} s"
        except Exception as exc:  # a failing check is a result, not a crash
            # The exception names hosts, ports and paths: the log has it, the public body not.
            log.warning("readiness check %s failed: %s: %s", name, type(exc).__name__, exc)
            error = "failed (the service log has the reason)"
        result: dict[str, Any] = {"ok": ok}
        if error is not None:
            result["error"] = error
        result["duration_ms"] = round((time.perf_counter() - started) * 1000, 3)
        return result

    async def _invoke(self, name: str, check: Check) -> Any:
        if inspect.iscoroutinefunction(check):
            return await check()
        with self._lock:
            if name in self._running:
                raise RuntimeError("previous run of this check has not finished")
            self._running.add(name)

        def run() -> Any:
            try:
                return check()
            finally:
                with self._lock:
                    self._running.discard(name)

        result = await asyncio.get_running_loop().run_in_executor(self._executor, run)
        if inspect.isawaitable(result):
            result = await result
        return result


def mount_probes(
    app: FastAPI,
    registry: ReadinessRegistry,
    *,
    extra: ExtraFields | None = None,
) -> None:
    """Add `GET /healthz` and `GET /readyz` to `app`.

    `/readyz` answers 200 when every check is ok and 503 otherwise, with `ready`, each check's
    detail under its name, and whatever `extra()` adds (service name, version, model state...).
    """

    @app.get("/healthz", tags=["probes"], summary="Liveness: the process is up")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["probes"],
        summary="Readiness: every dependency check passes (200) or not (503)",
        responses={503: {"description": "Not ready; the body says which check failed"}},
    )
    async def readyz() -> JSONResponse:
        report = await registry.astatus()
        ready = bool(report.pop("overall_ok"))
        body: dict[str, Any] = {"ready": ready, **report}
        if extra is not None:
            produced = extra()
            fields = await produced if inspect.isawaitable(produced) else produced
            body.update(fields)
            body["ready"] = ready and bool(fields.get("ready", True))
        return JSONResponse(body, status_code=200 if body["ready"] else 503)
