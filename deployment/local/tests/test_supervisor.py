"""How the supervisor stops a service that runs processes of its own (the worker's pool)."""

from __future__ import annotations

import io
import sys
import textwrap
import time
from pathlib import Path

from deployment.local.supervisor import Supervisor

# A service like the Celery worker: its main process starts a child and, told to stop, stops
# itself; the child writes down any SIGTERM that reaches it directly.
SERVICE = textwrap.dedent(
    """
    import os, signal, sys, time
    child = os.fork()
    def signalled(*_):
        open(sys.argv[1], "a").write("TERM")
        os._exit(1)
    if child == 0:
        signal.signal(signal.SIGTERM, signalled)
        open(sys.argv[2], "w").write("ready")
        while True:
            time.sleep(0.1)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        time.sleep(0.1)
    """
)


def test_stopping_signals_each_service_not_the_processes_it_runs(tmp_path: Path) -> None:
    signalled, ready = tmp_path / "child-signalled", tmp_path / "child-ready"
    out = io.StringIO()
    supervisor = Supervisor(out=out, grace_s=10.0)
    with supervisor.signals_stop():
        supervisor.start("worker", [sys.executable, "-c", SERVICE, str(signalled), str(ready)], {})
        deadline = time.monotonic() + 10
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ready.exists(), out.getvalue()
        supervisor.stop_all("received SIGINT")
        assert supervisor.wait() == 0
    # The child was killed with its group once its parent had stopped, never sent SIGTERM: a
    # pool process signalled directly dies as a failure the worker logs as an ERROR.
    assert not signalled.exists()
    assert "killed after" not in out.getvalue()
