"""Readiness while the models load, a broken model, and the request limits."""

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backend.nlp.server.main import create_app
from backend.nlp.server.settings import NlpSettings
from backend.nlp.tests.conftest import MAX_CHARS, MAX_TEXTS

pytestmark = pytest.mark.integration


def test_readiness_goes_from_503_to_200_while_models_load(settings: NlpSettings) -> None:
    with TestClient(create_app(settings)) as client:  # the lifespan starts loading
        first = client.get("/readyz")
        assert client.get("/healthz").json() == {"status": "ok"}  # at once, while loading
        assert first.status_code == 503
        assert first.json()["ready"] is False
        deadline = time.monotonic() + 120
        while (response := client.get("/readyz")).status_code != 200:
            assert time.monotonic() < deadline, response.json()
            time.sleep(0.2)

    body = response.json()
    assert body["embedding_model_loaded"] is True
    assert body["ner_model_loaded"] is True
    assert body["dim"] == 384


def test_without_lifespan_the_first_call_loads_the_models(settings: NlpSettings) -> None:
    client = TestClient(create_app(settings))

    response = client.post("/embed", json={"texts": ["red bicycle"]})

    assert response.status_code == 200
    assert client.get("/readyz").status_code == 200


def test_a_broken_model_path_is_503_with_the_reason(settings: NlpSettings, tmp_path: Path) -> None:
    broken = settings.model_copy(update={"embedding_model_path": tmp_path / "no-such-model"})
    client = TestClient(create_app(broken))

    ready = client.get("/readyz")
    embed = client.post("/embed", json={"texts": ["red bicycle"]})

    assert ready.status_code == 503
    assert ready.json()["embedding_model_loaded"] is False
    assert "no-such-model" in ready.json()["errors"]["embedding"]
    assert embed.status_code == 503
    assert "no-such-model" in embed.json()["detail"]
    assert client.get("/healthz").status_code == 200


@pytest.fixture(scope="module")
def ready_client(client: TestClient) -> TestClient:
    assert client.post("/embed", json={"texts": ["warm"]}).status_code == 200
    return client


@pytest.mark.parametrize("path", ["/embed", "/entities"])
def test_limits(ready_client: TestClient, path: str) -> None:
    too_many = ready_client.post(path, json={"texts": ["x"] * (MAX_TEXTS + 1)})
    too_long = ready_client.post(path, json={"texts": ["ok", "y" * (MAX_CHARS + 1)]})
    empty_list = ready_client.post(path, json={"texts": []})
    blank = ready_client.post(path, json={"texts": ["  "]})
    at_limit = ready_client.post(path, json={"texts": ["z" * MAX_CHARS] * MAX_TEXTS})

    assert too_many.status_code == 413
    assert f"the limit is {MAX_TEXTS}" in too_many.json()["detail"]
    assert too_long.status_code == 422
    assert "texts[1]" in too_long.json()["detail"]
    assert empty_list.status_code == 422
    assert blank.status_code == 422
    assert at_limit.status_code == 200


def test_bad_kind_is_422(ready_client: TestClient) -> None:
    response = ready_client.post("/embed", json={"texts": ["a"], "kind": "document"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "kind"
