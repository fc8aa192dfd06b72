import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from backend.worker.worker import details, probe
from backend.worker.worker.health import worker_alive, worker_health, worker_readyz
from backend.worker.worker.scoring import match_model
from backend.worker.worker.settings import WorkerSettings


@pytest.fixture()
def hung_server() -> Iterator[int]:
    """A port that accepts connections and never answers (a broker that hangs)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    yield server.getsockname()[1]
    server.close()


def test_health_is_ok() -> None:
    assert worker_health() == {"status": "ok", "worker": "celery"}


def test_ready_on_the_embedded_defaults(tmp_path: Path) -> None:
    report = worker_readyz(WorkerSettings(data_dir=tmp_path))

    assert report["ready"] is True
    assert report["worker"] == "celery"
    assert report["broker"]["ok"] and report["database"]["ok"] and report["matching"]["ok"]
    assert report["matching_model"] == match_model().id


def test_an_unreadable_matching_model_is_not_ready(tmp_path: Path) -> None:
    broken = tmp_path / "model.json"
    broken.write_text('{"first": {}}')
    report = worker_readyz(WorkerSettings(data_dir=tmp_path, match_model_file=broken))

    assert report["ready"] is False
    assert report["matching"]["ok"] is False
    assert report["matching_model"] is None


def test_missing_word_vectors_are_not_ready(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(details, "PACKAGED_WORD_VECTORS", tmp_path / "no-such-folder")
    report = worker_readyz(WorkerSettings(data_dir=tmp_path))

    assert report["ready"] is False
    assert report["matching"]["ok"] is False


def test_word_vectors_that_disagree_with_their_words_are_not_readable(tmp_path: Path) -> None:
    packaged = details.PACKAGED_WORD_VECTORS
    assert details.word_vectors_readable(packaged)
    (tmp_path / "words.txt").write_text("wallet\nsticker\n")
    np.save(tmp_path / "vectors.npy", np.zeros((3, 384), dtype=np.float16))
    assert not details.word_vectors_readable(tmp_path)
    with pytest.raises(ValueError, match="2 words"):
        details.WordVectors.load(tmp_path)


def test_unreachable_broker_is_not_ready(tmp_path: Path) -> None:
    report = worker_readyz(WorkerSettings(data_dir=tmp_path, broker_url="redis://127.0.0.1:1/0"))

    assert report["ready"] is False
    assert report["broker"]["ok"] is False
    assert report["database"]["ok"] is True


def test_hung_broker_answers_within_the_check_timeout(tmp_path: Path, hung_server: int) -> None:
    settings = WorkerSettings(data_dir=tmp_path, broker_url=f"redis://127.0.0.1:{hung_server}/0")

    report = worker_readyz(settings)

    assert report["ready"] is False
    assert report["broker"]["ok"] is False
    assert report["broker"]["duration_ms"] < 10_000


@pytest.mark.parametrize(("broker", "code"), [("", 0), ("redis://127.0.0.1:1/0", 1)])
def test_probe_command_exit_code(
    broker: str,
    code: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BROKER_URL", broker)

    with pytest.raises(SystemExit) as exit_info:
        probe.main([])

    assert exit_info.value.code == code
    assert json.loads(capsys.readouterr().out)["ready"] is (code == 0)


def test_liveness_is_the_worker_process_not_its_dependencies(tmp_path: Path) -> None:
    settings = WorkerSettings(
        data_dir=tmp_path,
        broker_url="redis://127.0.0.1:1/0",  # down: liveness does not care
        liveness_file=tmp_path / "alive",
        liveness_max_age_s=30,
    )
    assert worker_alive(settings)["alive"] is False  # never started

    settings.liveness_file.touch()
    assert worker_alive(settings)["alive"] is True

    stale = time.time() - 60
    os.utime(settings.liveness_file, (stale, stale))  # the main loop stopped touching it
    report = worker_alive(settings)
    assert report["alive"] is False and "older than 30 s" in report["reason"]
