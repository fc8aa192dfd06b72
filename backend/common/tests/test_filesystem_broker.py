import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from queue import Empty
from typing import Any

import pytest
from kombu import Connection

from backend.common.jobs import celery_config
from backend.common.jobs.filesystem import TRANSPORT, Channel, Transport
from backend.common.settings import ServiceSettings

MESSAGES = 300


@pytest.fixture(autouse=True)
def fresh_broker_state() -> None:
    # kombu keeps one record per process of the queues bound (Transport.global_state): a test's
    # new folder would not get its exchange tables written.
    Transport.global_state.clear()


def connection(folder: Path) -> Connection:
    return Connection(
        "filesystem://",
        transport=TRANSPORT,
        transport_options={
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "control_folder": str(folder / "control"),
            "store_processed": False,
            "polling_interval": 0.001,
        },
    )


def test_a_consumer_polling_fast_never_reads_half_a_message(tmp_path: Path) -> None:
    # kombu's own transport creates the file, then writes it: a reader this fast took empty
    # files and the worker stopped on the JSON error.
    received: list[int] = []
    errors: list[Exception] = []

    def consume() -> None:
        with connection(tmp_path) as conn:
            queue = conn.SimpleQueue("jobs")
            try:
                while len(received) < MESSAGES:
                    message = queue.get(timeout=30)
                    received.append(message.payload["n"])
                    message.ack()
            except Exception as exc:  # reported by the assertion below
                errors.append(exc)
            finally:
                queue.close()

    reader = threading.Thread(target=consume)
    reader.start()
    with connection(tmp_path) as conn:
        queue = conn.SimpleQueue("jobs")
        for n in range(MESSAGES):
            queue.put({"n": n, "padding": "x" * 20_000})
        queue.close()
    reader.join(60)
    assert errors == []
    assert sorted(received) == list(range(MESSAGES))
    assert not list(tmp_path.glob(".*.part"))


def test_a_thread_publishing_while_another_binds_the_queue_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # kombu records a binding for the whole process before the exchange table is written: a
    # second thread saw the binding, published into no table, and the message went to kombu's
    # undeliverable queue (CI failed on it: a consumer and a publisher in one process).
    writing_table = threading.Event()
    write_table = Channel._queue_bind

    def slow_write_table(self: Channel, *args: Any) -> None:
        writing_table.set()
        time.sleep(0.5)
        write_table(self, *args)

    monkeypatch.setattr(Channel, "_queue_bind", slow_write_table)

    def declare() -> None:
        with connection(tmp_path) as conn:
            conn.SimpleQueue("jobs").close()

    binder = threading.Thread(target=declare)
    binder.start()
    assert writing_table.wait(5)
    with connection(tmp_path) as conn:
        queue = conn.SimpleQueue("jobs")
        queue.put({"n": 1})
        binder.join(5)
        message = queue.get(timeout=5)
        assert message.payload == {"n": 1}
        message.ack()
        queue.close()


EXCHANGES = [f"exchange-{n}" for n in range(600)]


def bind_everywhere(folder: Path, queue: str) -> list[str]:
    channel = connection(folder).default_channel
    errors = []
    for exchange in EXCHANGES:
        try:
            channel._queue_bind(exchange, queue, "", queue)  # type: ignore[attr-defined]
        except Exception as exc:  # - reported by the assertion
            errors.append(repr(exc))
    return errors


def read_every_table(folder: Path) -> list[str]:
    channel = connection(folder).default_channel
    errors = []
    for exchange in EXCHANGES * 3:
        try:
            channel.get_table(exchange)
        except Exception as exc:  # - reported by the assertion
            errors.append(repr(exc))
    return errors


def test_exchange_tables_are_never_read_half_written_nor_lose_a_binding(tmp_path: Path) -> None:
    # Processes declaring their queues while others publish: kombu created a table empty and
    # then wrote it, so a publisher could read "" (CI once failed on it), and two first binders
    # could each write a table of one queue. A race: this catches it often, not always.
    with ProcessPoolExecutor(4) as pool:
        binders = [pool.submit(bind_everywhere, tmp_path, queue) for queue in ("a", "b")]
        readers = [pool.submit(read_every_table, tmp_path) for _ in range(2)]
        errors = [error for job in [*binders, *readers] for error in job.result()]
    assert errors == []
    channel = connection(tmp_path).default_channel
    tables = {
        exchange: {entry.queue for entry in channel.get_table(exchange)} for exchange in EXCHANGES
    }
    assert [exchange for exchange, queues in tables.items() if queues != {"a", "b"}] == []
    assert not list((tmp_path / "control").glob(".*.part"))


def test_an_unreadable_message_is_dropped_not_fatal(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "1_broken.jobs.msg").write_text("")  # as a crashed writer would leave it
    with connection(tmp_path) as conn:
        queue = conn.SimpleQueue("jobs")
        queue.put({"n": 1})
        message = queue.get(timeout=5)
        assert message.payload == {"n": 1}
        message.ack()
        # Whichever file the consumer took first, the broken one is gone after the next poll.
        with pytest.raises(Empty):
            queue.get(timeout=0.2)
        queue.close()
    assert not list(tmp_path.glob("*.msg"))
    assert "dropped an unreadable message" in caplog.text


def test_the_control_folder_lives_under_data_dir(tmp_path: Path) -> None:
    options = celery_config(ServiceSettings(data_dir=tmp_path))["broker_transport_options"]
    assert options["control_folder"] == str(tmp_path / "broker" / "control")
    assert (tmp_path / "broker" / "control").is_dir()
