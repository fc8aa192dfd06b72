import threading
from pathlib import Path
from queue import Empty

import pytest
from kombu import Connection

from backend.common.jobs import celery_config
from backend.common.jobs.filesystem import TRANSPORT
from backend.common.settings import ServiceSettings

MESSAGES = 300


def connection(folder: Path) -> Connection:
    return Connection(
        "filesystem://",
        transport=TRANSPORT,
        transport_options={
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
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
