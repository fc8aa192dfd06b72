"""Where tests run the packaged PEXes from.

Under Pants a test process has no HOME, so each PEX a test started unpacked itself (every wheel:
the NLP service's alone is ~240 MB zipped) into a fresh folder: each whole stack spent ~25
CPU-seconds on it before a service could start. Every test shares one PEX_ROOT instead. PEX
addresses what it stores there by content and locks what it writes, so test processes side by
side share it safely, and a PEX with the same wheels as the last run's starts without unpacking.
It holds ~1 GB once every service has run (wheels are kept across builds); deleting it is safe.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

PEX_ROOT = Path(tempfile.gettempdir()) / "lost-found-pex-root"


def pex_env(data_dir: Path) -> dict[str, str]:
    """What every PEX a test runs starts from: PATH, a HOME (the test's `data_dir` when Pants
    gives none) and the shared PEX_ROOT."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(data_dir)),
        "PEX_ROOT": str(PEX_ROOT),
    }


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def ends_with_this_process() -> Callable[[], None]:
    """For `Popen(preexec_fn=...)`: the child gets SIGTERM when the process that started it ends,
    however it ends. Pants kills a test's process on a timeout, on Ctrl-C or when a file changed
    during the run; a worker it had started would live on and take the next run's tasks from the
    module's Redis database. Linux ends the child when the *thread* that started it ends: start
    it from the test's main thread. (Linux only; elsewhere the child outlives its test.)"""
    parent = os.getpid()

    def in_child() -> None:
        if sys.platform != "linux":
            return
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG)")
        if os.getppid() != parent:  # it ended before prctl took effect
            os.kill(os.getpid(), signal.SIGTERM)

    return in_child
