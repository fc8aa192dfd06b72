"""The NLP service still answers the recorded request as recorded (the worker's tests read the
same recording with its client): the contract holds on both sides."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient

from backend.common.contracts.nlp import AnalyzeResponse
from backend.common.testing.recorded import recorded

pytestmark = pytest.mark.integration


def test_analyze_answers_as_recorded(client: TestClient) -> None:
    exchange = recorded("nlp_analyze")
    reply = AnalyzeResponse.model_validate(client.post("/analyze", json=exchange["request"]).json())
    expected = AnalyzeResponse.model_validate(exchange["reply"])

    assert (reply.dim, reply.model, reply.mode) == (expected.dim, expected.model, expected.mode)
    [live], [then] = reply.results, expected.results
    assert (live.entities, live.attributes) == (then.entities, then.attributes)
    assert float(np.dot(live.vector, then.vector)) > 0.999


def test_analyze_is_embed_and_entities_in_one_call(client: TestClient) -> None:
    texts = ["Found a red bicycle near Utrecht Centraal", "Blue umbrella"]
    analysed = client.post("/analyze", json={"texts": texts}).json()["results"]
    embedded = client.post("/embed", json={"texts": texts, "kind": "passage"}).json()["vectors"]
    tagged = client.post("/entities", json={"texts": texts}).json()["results"]

    for one, vector, tags in zip(analysed, embedded, tagged, strict=True):
        assert float(np.dot(one["vector"], vector)) > 0.9999
        assert (one["entities"], one["attributes"]) == (tags["entities"], tags["attributes"])
