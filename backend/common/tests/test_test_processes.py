"""A process a test starts ends with the test's process, however that ends (Pants kills it on a
timeout, on Ctrl-C, when a file changes mid-run): an orphaned worker took the next run's tasks."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from backend.common.testing.pex import ends_with_this_process


def _running(pid: int) -> bool:
    """Alive, not a zombie waiting for init to reap it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


def _child_of_a_killed_process(preexec: Callable[[], None] | None) -> tuple[int, bool]:
    """A process starts `sleep` and is SIGKILLed: the sleep's pid, and whether it still runs 3 s
    later."""
    read, write = os.pipe()
    middle = os.fork()
    if middle == 0:  # the test's process
        child = subprocess.Popen(["sleep", "60"], preexec_fn=preexec, start_new_session=True)
        os.write(write, f"{child.pid}\n".encode())
        time.sleep(60)
        os._exit(0)
    os.close(write)
    pid = int(os.read(read, 32))
    os.kill(middle, signal.SIGKILL)
    os.waitpid(middle, 0)
    deadline = time.monotonic() + 3
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return pid, _running(pid)


def test_a_child_ends_when_the_process_that_started_it_is_killed() -> None:
    _, running = _child_of_a_killed_process(ends_with_this_process())
    assert not running


def test_without_it_the_child_lives_on() -> None:
    pid, running = _child_of_a_killed_process(None)
    try:
        assert running
    finally:
        os.kill(pid, signal.SIGKILL)
