import asyncio
import threading

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backend.common.health import ReadinessRegistry, mount_probes


def test_ok_check_reports_ok_with_duration() -> None:
    registry = ReadinessRegistry()
    registry.register("database", lambda: True)

    report = registry.status()

    assert report["overall_ok"] is True
    assert report["database"]["ok"] is True
    assert "error" not in report["database"]
    assert report["database"]["duration_ms"] >= 0


def test_failing_check_is_not_ok() -> None:
    registry = ReadinessRegistry()
    registry.register("database", lambda: True)
    registry.register("broker", lambda: False)

    report = registry.status()

    assert report["overall_ok"] is False
    assert report["database"]["ok"] is True
    assert report["broker"] == {
        "ok": False,
        "error": "check reported not ready",
        "duration_ms": report["broker"]["duration_ms"],
    }


def test_raising_check_logs_its_message_and_reports_only_the_failure(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken() -> bool:
        raise ConnectionError("connection refused by db.internal:5432")

    registry = ReadinessRegistry()
    registry.register("database", broken)

    report = registry.status()

    assert report["overall_ok"] is False
    assert report["database"]["ok"] is False
    assert report["database"]["error"] == "failed (the service log has the reason)"
    assert "ConnectionError: connection refused by db.internal:5432" in caplog.text


def test_hung_sync_check_times_out_without_hanging_the_probe(
    caplog: pytest.LogCaptureFixture,
) -> None:
    release = threading.Event()
    registry = ReadinessRegistry()
    registry.register("hung", lambda: release.wait(30), timeout_s=0.2)
    registry.register("fine", lambda: True)
    try:
        report = registry.status()
        # A second probe while the first run still hangs does not pile up another thread.
        again = registry.status()
    finally:
        release.set()

    assert report["overall_ok"] is False
    assert report["hung"]["error"] == "timed out after 0.2 s"
    assert report["hung"]["duration_ms"] < 5_000
    assert report["fine"]["ok"] is True
    assert again["hung"]["ok"] is False
    assert "previous run of this check has not finished" in caplog.text


def test_async_checks_run_and_time_out() -> None:
    async def ready() -> bool:
        await asyncio.sleep(0)
        return True

    async def hung() -> bool:
        await asyncio.sleep(30)
        return True

    registry = ReadinessRegistry()
    registry.register("cache", ready)
    registry.register("slow", hung, timeout_s=0.1)

    report = registry.status()

    assert report["cache"]["ok"] is True
    assert report["slow"]["ok"] is False
    assert report["slow"]["error"] == "timed out after 0.1 s"
    assert report["overall_ok"] is False


def test_empty_registry_is_ready() -> None:
    assert ReadinessRegistry().status() == {"overall_ok": True}


@pytest.mark.parametrize("name", ["", "ready", "overall_ok"])
def test_reserved_or_empty_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError):
        ReadinessRegistry().register(name, lambda: True)


def test_duplicate_name_is_refused() -> None:
    registry = ReadinessRegistry()
    registry.register("database", lambda: True)
    with pytest.raises(ValueError, match="already registered"):
        registry.register("database", lambda: True)


def test_status_inside_event_loop_points_to_astatus() -> None:
    async def call() -> None:
        ReadinessRegistry().status()

    with pytest.raises(RuntimeError, match="astatus"):
        asyncio.run(call())


def _client(registry: ReadinessRegistry, **kwargs: object) -> TestClient:
    app = FastAPI()
    mount_probes(app, registry, **kwargs)  # type: ignore[arg-type]
    return TestClient(app)


def test_healthz_is_exactly_status_ok_even_when_not_ready() -> None:
    registry = ReadinessRegistry()
    registry.register("database", lambda: False)

    response = _client(registry).get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_200_body_when_all_checks_pass() -> None:
    registry = ReadinessRegistry()
    registry.register("database", lambda: True)

    response = _client(registry, extra=lambda: {"app": "api", "version": "1.2.3"}).get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["ready"] is True
    assert body["database"]["ok"] is True
    assert body["app"] == "api"
    assert body["version"] == "1.2.3"
    assert "overall_ok" not in body


def test_readyz_503_body_names_the_failing_check_and_logs_its_reason(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def down() -> bool:
        raise OSError("no route to host")

    registry = ReadinessRegistry()
    registry.register("database", lambda: True)
    registry.register("broker", down)

    response = _client(registry).get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["ready"] is False
    assert body["database"]["ok"] is True
    assert body["broker"] == {
        "ok": False,
        "error": "failed (the service log has the reason)",
        "duration_ms": body["broker"]["duration_ms"],
    }
    # Hosts, ports and paths in the reason go to the log, not to whoever asks.
    assert "no route to host" not in response.text
    assert "readiness check broker failed: OSError: no route to host" in caplog.text


def test_readyz_extra_fields_may_veto_readiness() -> None:
    async def extra() -> dict[str, object]:
        return {"ready": False, "model_loaded": False}

    response = _client(ReadinessRegistry(), extra=extra).get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"ready": False, "model_loaded": False}
