"""The NLP service still answers the recorded requests as recorded (the worker's tests read the
same recordings with its client): the contract holds on both sides."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient

from backend.common.contracts.nlp import EmbedResponse, EntitiesResponse
from backend.common.testing.recorded import recorded

pytestmark = pytest.mark.integration


def test_embed_answers_as_recorded(client: TestClient) -> None:
    exchange = recorded("nlp_embed")
    reply = EmbedResponse.model_validate(client.post("/embed", json=exchange["request"]).json())
    expected = EmbedResponse.model_validate(exchange["reply"])

    assert (reply.dim, reply.model, reply.mode) == (expected.dim, expected.model, expected.mode)
    assert float(np.dot(reply.vectors[0], expected.vectors[0])) > 0.999


def test_entities_answer_as_recorded(client: TestClient) -> None:
    exchange = recorded("nlp_entities")
    response = client.post("/entities", json=exchange["request"])

    assert EntitiesResponse.model_validate(response.json())
    assert response.json() == exchange["reply"]
