"""The embedded broker (no Redis): ours, kombu's file-system transport with whole messages
(backend/common/jobs/filesystem.py, what the local stack runs), beside kombu's own SQLAlchemy
transport on a SQLite file, same machine, same run.

One process publishes MESSAGES messages; two consumer processes take them (as two worker
processes would) and acknowledge each. Prints messages per second from the first publish to the
last one taken, and messages lost or taken twice (target 0 for both).

./pants run bench/embedded_broker.py -- [--messages 2000]
"""

from __future__ import annotations

import argparse
import multiprocessing
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kombu import Connection

from backend.common.jobs import celery_config
from backend.common.settings import ServiceSettings

QUEUE = "bench"
CONSUMERS = 2
IDLE_S = 3.0  # a consumer stops after this long with nothing to take


def ours(folder: Path) -> Connection:
    """The stack's embedded broker, configured as every service configures it."""
    config = celery_config(ServiceSettings(data_dir=folder))
    return Connection(
        transport=config["broker_transport"],
        transport_options=config["broker_transport_options"],
    )


def kombu_sqlalchemy(folder: Path) -> Connection:
    connection = Connection(f"sqla+sqlite:///{folder / 'broker.sqlite3'}")
    # Its options go to create_engine: the polling interval is the transport's (ours: 0.05 s).
    connection.transport.polling_interval = 0.05
    return connection


def consume(make: Callable[[Path], Connection], folder: Path, taken: Any) -> None:
    with make(folder) as connection:
        queue = connection.SimpleQueue(QUEUE)
        last = time.monotonic()
        while time.monotonic() - last < IDLE_S:
            try:
                message = queue.get(block=True, timeout=0.5)
            except queue.Empty:  # kombu's SimpleQueue names its own
                continue
            taken.put((message.payload["i"], time.monotonic()))
            message.ack()
            last = time.monotonic()
        queue.close()


def run(name: str, make: Callable[[Path], Connection], messages: int) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix=f"bench-broker-{name}-"))
    with make(folder) as connection:  # the queue exists before consumers poll it
        connection.SimpleQueue(QUEUE).close()
    context = multiprocessing.get_context("spawn")
    taken = context.Queue()
    consumers = [
        context.Process(target=consume, args=(make, folder, taken)) for _ in range(CONSUMERS)
    ]
    for process in consumers:
        process.start()
    time.sleep(2)  # the consumers are polling
    started = time.monotonic()
    with make(folder) as connection:
        queue = connection.SimpleQueue(QUEUE)
        for i in range(messages):
            queue.put({"i": i})
        queue.close()
    published = time.monotonic()
    seen: Counter[int] = Counter()
    finished = started
    while any(process.is_alive() for process in consumers) or not taken.empty():
        try:
            number, when = taken.get(timeout=0.5)
        except Exception:  # (queue.Empty from another module)
            continue
        seen[number] += 1
        finished = max(finished, when)
    for process in consumers:
        process.join()
    return {
        "publish/s": messages / max(published - started, 1e-9),
        "through/s": len(seen) / max(finished - started, 1e-9),
        "lost": messages - len(seen),
        "twice": sum(count - 1 for count in seen.values() if count > 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    transports = {"ours (files, whole)": ours, "kombu sqlalchemy": kombu_sqlalchemy}
    results = {}
    for name, make in transports.items():
        print(f"{name}: {args.messages} messages, {CONSUMERS} consumers ...", flush=True)
        results[name] = run(name, make, args.messages)
    print(f"\n{'transport':<22}{'publish/s':>11}{'through/s':>11}{'lost':>6}{'twice':>7}")
    for name, r in results.items():
        print(
            f"{name:<22}{r['publish/s']:>11.0f}{r['through/s']:>11.0f}"
            f"{r['lost']:>6.0f}{r['twice']:>7.0f}"
        )
    ours_rate = results["ours (files, whole)"]["through/s"]
    print(f"kombu sqlalchemy / ours: {results['kombu sqlalchemy']['through/s'] / ours_rate:.2f}")


if __name__ == "__main__":
    main()
