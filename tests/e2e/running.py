"""The packaged services as real processes, wired together like in deployment."""

from __future__ import annotations

import fcntl
import json
import os
import random
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx
from sqlalchemy import func, select

from backend.common.db import make_engine
from backend.common.models import Item
from backend.common.settings import ServiceSettings
from backend.common.testing.pex import ends_with_this_process, pex_env

PEX = {
    "api": Path("backend.api/server.pex"),
    "migrate": Path("backend.api/migrate.pex"),
    "nlp": Path("backend.nlp/server.pex"),
    "vision": Path("backend.vision/server.pex"),
    "worker": Path("backend.worker/worker.pex"),
    "probe": Path("backend.worker/probe.pex"),
    "web": Path("frontend.web/server.pex"),
}


ADMIN_TOKEN = "e2e-admin-token-not-a-secret-0123456789"


# Ports the stacks take, below the system's ephemeral range (32768-60999 on Linux) so that no
# port the kernel hands out to anyone else lands on one; among themselves, the stacks of tests
# running side by side keep each port a file lock holds for the stack's life.
PORT_RANGE = range(20000, 32000)
PORT_LOCKS = Path(tempfile.gettempdir()) / "lost-found-e2e-ports"


@dataclass
class PortReservation:
    """Ports held for one stack: locked against other stacks, and free when reserved."""

    ports: list[int]
    locks: list[IO[bytes]]

    @classmethod
    def take(cls, count: int) -> PortReservation:
        PORT_LOCKS.mkdir(exist_ok=True)
        ports: list[int] = []
        locks: list[IO[bytes]] = []
        candidates = random.sample(PORT_RANGE, len(PORT_RANGE))
        for port in candidates:
            if len(ports) == count:
                break
            lock = (PORT_LOCKS / str(port)).open("ab")
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                lock.close()
                continue
            if not _bindable(port):  # something outside these tests listens there
                lock.close()
                continue
            ports.append(port)
            locks.append(lock)
        assert len(ports) == count, f"fewer than {count} free ports in {PORT_RANGE}"
        return cls(ports, locks)

    def release(self) -> None:
        for lock in self.locks:
            lock.close()  # closing drops the lock
        self.locks = []


def _bindable(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers bind
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@dataclass
class Stack:
    data_dir: Path
    database_url: str | None
    broker_url: str | None
    ports: dict[str, int] = field(default_factory=dict)
    worker_args: tuple[str, ...] = ("--concurrency=1", "--beat")
    pex_dir: Path = Path(".")  # where the PEXes are: the test sandbox, or dist/
    extra_env: dict[str, str] = field(default_factory=dict)
    with_web: bool = False  # also the web app's server, allowed by the API's CORS_ORIGINS
    only: tuple[str, ...] = ()  # just these HTTP services (no worker), e.g. ("api", "vision")
    metrics: bool = False  # each process serves its metrics on a port of its own
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    metrics_ports: dict[str, int] = field(default_factory=dict)
    reservation: PortReservation | None = None

    def matching_done(self, item_ids: list[str]) -> bool:
        """Every one of these reports is matched for its latest enrichment (the worker's own
        mark, read from the stack's database: no API shows it)."""
        url = ServiceSettings(data_dir=self.data_dir, database_url=self.database_url or "")
        engine = make_engine(url.database_url)
        try:
            with engine.connect() as connection:
                done = connection.scalar(
                    select(func.count())
                    .select_from(Item)
                    .where(
                        Item.id.in_([uuid.UUID(item_id) for item_id in item_ids]),
                        Item.matched_generation == Item.enrichment_generation,
                    )
                )
        finally:
            engine.dispose()
        return done == len(set(item_ids))

    def url(self, service: str) -> str:
        """Where `service` listens (a port nothing listens on for one not started)."""
        return f"http://127.0.0.1:{self.ports.get(service, 9)}"

    def metrics_url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.metrics_ports[service]}/metrics"

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            **pex_env(self.data_dir),
            "DATA_DIR": str(self.data_dir),
            "HOST": "127.0.0.1",
            "NLP_URL": self.url("nlp"),
            "VISION_URL": self.url("vision"),
            "LOG_LEVEL": "INFO",
            "SWEEP_INTERVAL_S": "5",
            # The evaluation posts ~100 reports as one "finder" within a minute: an office's
            # volume, not one person's (the default limit is one person's).
            "REPORTS_PER_REPORTER": "1000/hour",
            # The bulk-intake test registers a lost-property office (admin only).
            "ADMIN_TOKEN": ADMIN_TOKEN,
            "API_URL": self.url("api"),
            "CORS_ORIGINS": json.dumps([self.url("web")] if "web" in self.ports else []),
            **self.extra_env,
            **extra,
        }
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        if self.broker_url:
            env["BROKER_URL"] = self.broker_url
        return env

    def run(self, name: str, *args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            ["python3.11", str(self.pex_dir / PEX[name]), *args],
            env=self.env(),
            capture_output=True,
            timeout=120,
        )

    def start(self) -> None:
        servers = self.only or ("nlp", "vision", "api", *(("web",) if self.with_web else ()))
        processes = [*servers, *(() if self.only else ("worker",))]
        self.reservation = PortReservation.take(
            len(servers) + (len(processes) if self.metrics else 0)
        )
        ports = self.reservation.ports
        self.ports = dict(zip(servers, ports, strict=False))
        if self.metrics:
            self.metrics_ports = dict(zip(processes, ports[len(servers) :], strict=True))
        if "api" in servers:
            migrated = self.run("migrate", "upgrade")
            assert migrated.returncode == 0, migrated.stderr.decode()[-2000:]
        for name in servers:
            self._spawn(name, [], PORT=str(self.ports[name]))
        deadline = time.monotonic() + 240
        if self.only:
            self._wait_ready(servers, deadline)
            return
        self._spawn("worker", list(self.worker_args))
        self._wait_ready(servers, deadline)
        while self.run("probe").returncode != 0:
            assert time.monotonic() < deadline, f"worker not ready:\n{self.log('worker')}"
            time.sleep(0.5)

    def _wait_ready(self, servers: tuple[str, ...], deadline: float) -> None:
        for name in servers:
            while not self._ready(name):
                assert time.monotonic() < deadline, f"{name} not ready:\n{self.log(name)}"
                time.sleep(0.5)

    def peak_rss_bytes(self, name: str) -> int:
        """The most memory the service's process has held (VmHWM), in bytes."""
        status = Path(f"/proc/{self.processes[name].pid}/status").read_text()
        [line] = [line for line in status.splitlines() if line.startswith("VmHWM:")]
        return int(line.split()[1]) * 1024

    def _spawn(self, name: str, args: list[str], **extra: str) -> None:
        if name in self.metrics_ports:
            extra["METRICS_PORT"] = str(self.metrics_ports[name])
        log = (self.data_dir / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(
            ["python3.11", str(self.pex_dir / PEX[name]), *args],
            env=self.env(**extra),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=ends_with_this_process(),
        )

    def _ready(self, name: str) -> bool:
        # Ready is this process answering: a process that exited (say, its port was taken)
        # fails the start instead of counting whatever else answers on the port.
        assert self.processes[name].poll() is None, f"{name} exited:\n{self.log(name)}"
        try:
            return httpx.get(self.url(name) + "/readyz", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    def log(self, name: str, tail_chars: int = 4000) -> str:
        path = self.data_dir / f"{name}.log"
        return path.read_text(errors="replace")[-tail_chars:] if path.exists() else ""

    def serving(self) -> Iterator[Stack]:
        """For a fixture: `yield from stack.serving()` starts it, and stops it after the tests
        (also when starting failed half-way)."""
        try:
            self.start()
            yield self
        finally:
            self.stop()

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if self.reservation is not None:
            self.reservation.release()
