"""Runs the local stack's processes side by side and stops all of them together.

Each service runs in its own process group (so a terminal's Ctrl-C reaches only the
supervisor, which then stops the services in order) and, on Linux, is told to stop when the
supervisor dies, however it dies: `pants run` may end it before it has stopped them, and
nothing must keep running against the data directory afterwards. A reaper, a forked process in
a session of its own, outlives the supervisor: when the supervisor is gone it sends SIGTERM to
every service group still there, and SIGKILL after the grace period. Output is printed line by
line, prefixed with the service's name.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

PR_SET_PDEATHSIG = 1
COLOURS = ("36", "33", "35", "32", "34", "31")


def _stop_with_parent(parent: int) -> None:
    """In the child before exec: SIGTERM when the supervisor dies (Linux; survives exec)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # the supervisor died before prctl took effect
        os._exit(1)


def _alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _stop_groups(groups: list[int], grace_s: float) -> None:
    """SIGTERM to every group still there, SIGKILL to what is left after `grace_s`."""
    for group in groups:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(group, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and any(_alive(g) for g in groups):
        time.sleep(0.2)
    for group in groups:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(group, signal.SIGKILL)


@dataclass
class Service:
    name: str
    process: subprocess.Popen[bytes]
    colour: str


class Supervisor:
    def __init__(self, out: IO[str] | None = None, grace_s: float = 10.0) -> None:
        self.out = out or sys.stdout
        self.grace_s = grace_s
        self.services: list[Service] = []
        self.stopping = threading.Event()
        self.reason = ""
        self._print_lock = threading.Lock()
        self._colour = self.out.isatty()

    def say(self, line: str, name: str = "stack", colour: str = "1") -> None:
        prefix = f"{name:<7}|"
        if self._colour:
            prefix = f"\033[{colour}m{prefix}\033[0m"
        with self._print_lock:
            self.out.write(f"{prefix} {line}\n")
            self.out.flush()

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        parent = os.getpid()
        process = subprocess.Popen(
            argv,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=lambda: _stop_with_parent(parent),
        )
        service = Service(name, process, COLOURS[len(self.services) % len(COLOURS)])
        self.services.append(service)
        threading.Thread(target=self._relay, args=(service,), daemon=True).start()

    def start_reaper(self) -> None:
        """Fork the reaper, once every service has started (it knows their groups)."""
        parent, groups, grace_s = os.getpid(), [s.process.pid for s in self.services], self.grace_s
        if os.fork() != 0:
            return
        # The reaper: no Python cleanup, no threads, only system calls until it exits.
        try:
            os.setsid()
            # Hold none of the stack's pipes or terminal: a service must never block writing to
            # a pipe nobody reads, and nothing should wait for this process's output.
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            os.closerange(3, 65536)
            while os.getppid() == parent:
                time.sleep(0.2)
            _stop_groups(groups, grace_s)
        finally:
            os._exit(0)

    def _relay(self, service: Service) -> None:
        assert service.process.stdout is not None
        for raw in service.process.stdout:
            self.say(raw.decode(errors="replace").rstrip(), service.name, service.colour)
        code = service.process.wait()
        if not self.stopping.is_set():
            self.stop_all(f"{service.name} exited with status {code}")

    def stop_all(self, reason: str) -> None:
        """Ask the main loop to stop everything (from any thread)."""
        if not self.stopping.is_set():
            self.reason = reason
            self.stopping.set()

    @contextlib.contextmanager
    def signals_stop(self) -> Iterator[None]:
        """Ctrl-C, SIGTERM or a closed terminal stop the stack; a second Ctrl-C kills it."""

        def handle(signum: int, _frame: object) -> None:
            if self.stopping.is_set():
                self._signal_groups(signal.SIGKILL)
            self.stop_all(f"received {signal.Signals(signum).name}")

        previous = {s: signal.signal(s, handle) for s in (signal.SIGINT, signal.SIGTERM)}
        previous[signal.SIGHUP] = signal.signal(signal.SIGHUP, handle)
        try:
            yield
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def wait(self) -> int:
        """Block until something asks to stop, then stop every service; the exit status.

        Call it inside `signals_stop()`, entered before the first `start()`."""
        while not self.stopping.wait(0.5):
            pass
        self.say(f"stopping every service ({self.reason})")
        # Each service's own process, not its group: the worker stops its pool processes itself
        # (a warm shutdown); signalled directly, each pool process died as a failure ("exited
        # with signal 15", an ERROR in the worker's log on every Ctrl-C).
        self._signal_leaders(signal.SIGTERM)
        deadline = time.monotonic() + self.grace_s
        while time.monotonic() < deadline and self._running():
            time.sleep(0.2)
        # Whatever is left, leaders or their children (a pool's processes), is killed.
        left = self._running()
        self._signal_groups(signal.SIGKILL)
        if left:
            self.say(f"killed after {self.grace_s:g} s: {', '.join(left)}")
        for service in self.services:
            service.process.wait()
        self.say("stopped")
        return 0 if self.reason.startswith("received") else 1

    def _running(self) -> list[str]:
        return [s.name for s in self.services if s.process.poll() is None]

    def _signal_leaders(self, signum: int) -> None:
        for service in self.services:
            service.process.send_signal(signum)  # skips a process that has exited

    def _signal_groups(self, signum: int) -> None:
        for service in self.services:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(service.process.pid, signum)
