"""The vision service still answers the recorded similarity request as recorded (the worker's
tests read the same recording with its client)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from backend.common.contracts.vision import SimilarityResults
from backend.common.testing.recorded import recorded


def test_similarity_answers_as_recorded(client: TestClient) -> None:
    exchange = recorded("vision_similarity")
    response = client.post("/similarity", json=exchange["request"])

    assert SimilarityResults.model_validate(response.json())
    [live], [expected] = response.json()["results"], exchange["reply"]["results"]
    assert live["model_version"] == expected["model_version"]
    assert live["score"] == pytest.approx(expected["score"], abs=1e-6)
