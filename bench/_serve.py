"""Serving an ASGI app in a forked child process, for benchmarks."""

from __future__ import annotations

import multiprocessing
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(factory: Callable[[], Any], port: int) -> None:
    import uvicorn

    uvicorn.run(factory(), host="127.0.0.1", port=port, log_level="warning", access_log=False)


@contextmanager
def served(
    factory: Callable[[], Any], ready_path: str = "/readyz", timeout_s: float = 180
) -> Iterator[tuple[str, int, float]]:
    """Yields (base URL, pid, seconds from start to ready)."""
    port = free_port()
    context = multiprocessing.get_context("fork")
    process = context.Process(target=_run, args=(factory, port), daemon=True)
    started = time.perf_counter()
    process.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(url + ready_path, timeout=5).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or not process.is_alive():
            process.kill()
            raise RuntimeError(f"server on {url} did not become ready")
        time.sleep(0.1)
    try:
        yield url, int(process.pid or 0), time.perf_counter() - started
    finally:
        process.terminate()
        process.join(10)


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")
