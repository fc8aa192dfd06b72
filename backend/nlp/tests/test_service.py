"""Readiness while the models load, a broken model, and the request limits."""

import json
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backend.common.limits import MAX_REPORT_TEXT_CHARS
from backend.nlp.server.main import create_app
from backend.nlp.server.models import Models
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


def test_a_broken_model_path_is_503_and_the_reason_is_logged(
    settings: NlpSettings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = settings.model_copy(update={"onnx_model_path": tmp_path / "no-such-model"})
    client = TestClient(create_app(broken))

    ready = client.get("/readyz")
    embed = client.post("/embed", json={"texts": ["red bicycle"]})

    assert ready.status_code == 503
    assert ready.json()["embedding_model_loaded"] is False
    assert embed.status_code == 503
    assert embed.json()["detail"] == "embedding model not available: failed to load"
    assert "no-such-model" not in ready.text + embed.text
    assert "no-such-model" in caplog.text
    assert client.get("/healthz").status_code == 200


def test_the_model_endpoint_names_the_vectors_the_service_gives(client: TestClient) -> None:
    model = client.get("/model").json()
    embedded = client.post("/embed", json={"texts": ["red bicycle"]}).json()

    assert model == {
        "model": "sentence-transformers/all-MiniLM-L6-v2+onnx",
        "dim": 384,
        "runtime": "onnx",
    }
    assert (embedded["model"], embedded["mode"]) == (model["model"], model["runtime"])


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

    assert too_many.status_code == 422
    assert f"the limit is {MAX_TEXTS}" in too_many.json()["detail"][0]["msg"]
    assert too_long.status_code == 422
    assert too_long.json()["detail"][0]["loc"] == ["body", "texts", 1]
    assert empty_list.status_code == 422
    assert blank.status_code == 200  # a text of spaces is a text, as the document says
    assert at_limit.status_code == 200


def test_bad_kind_is_422(ready_client: TestClient) -> None:
    response = ready_client.post("/embed", json={"texts": ["a"], "kind": "document"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "kind"


@pytest.mark.parametrize("path", ["/embed", "/entities"])
def test_control_characters_and_lone_surrogates_are_422(
    ready_client: TestClient, path: str
) -> None:
    for bad in ("a\u0000b", "x\ud800y", "bell\u0007"):
        body = json.dumps({"texts": ["fine", bad]})  # escapes: the surrogate stays lone
        response = ready_client.post(
            path, content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code == 422, (bad, response.text)
        assert response.json()["detail"][0]["loc"][:3] == ["body", "texts", 1]
    multiline = ready_client.post(path, json={"texts": ["line one\nline two\twith a tab"]})
    assert multiline.status_code == 200


def test_one_bad_text_fails_only_its_own_request(ready_client: TestClient) -> None:
    """Requests batched into one model call: a text the model cannot take (here a lone
    surrogate, past the HTTP validation) fails its request only."""
    models: Models = ready_client.app.state.models  # type: ignore[attr-defined]
    texts = [[f"red bicycle number {n}"] for n in range(19)] + [["broken \ud800 text"]]
    futures = [models.submit_embedding(batch) for batch in texts]  # together: one batch

    outcomes = [future.exception(timeout=60) for future in futures]

    assert outcomes[-1] is not None
    assert outcomes[:-1] == [None] * 19
    assert all(future.result().shape == (1, 384) for future in futures[:-1])


def test_the_longest_report_text_is_taken_by_default(ready_client: TestClient) -> None:
    # The worker sends up to MAX_REPORT_TEXT_CHARS (the longest report the API accepts).
    assert NlpSettings().max_chars == MAX_REPORT_TEXT_CHARS
    models: Models = ready_client.app.state.models  # type: ignore[attr-defined]
    vectors = models.submit_embedding(["lost wallet " * (MAX_REPORT_TEXT_CHARS // 12)])
    assert vectors.result(timeout=60).shape == (1, 384)
