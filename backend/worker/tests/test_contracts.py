"""The worker's clients against replies recorded from the real services: they send the
recorded request and read the recorded reply (the services' tests check the other half)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from backend.common.photo_similarity import descriptor_of
from backend.common.testing.recorded import recorded
from backend.worker.worker.clients import NlpClient, ServiceError, VisionClient


def serving(name: str, sent: list[dict[str, Any]]) -> httpx.MockTransport:
    exchange = recorded(name)

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(200, json=exchange["reply"])

    return httpx.MockTransport(answer)


def test_analysing_a_report() -> None:
    exchange = recorded("nlp_analyze")
    sent: list[dict[str, Any]] = []
    client = NlpClient("http://nlp", 5, transport=serving("nlp_analyze", sent))

    [analysis] = client.analyze(exchange["request"]["texts"])

    assert sent == [exchange["request"]]
    [result] = exchange["reply"]["results"]
    assert analysis.vector == result["vector"] and len(analysis.vector) == 384
    assert analysis.model == exchange["reply"]["model"]
    assert (
        analysis.attributes == result["attributes"] and "black" in result["attributes"]["colours"]
    )


def test_a_photo_s_features_are_read_whole() -> None:
    # The record in the recorded similarity call is what /features answered for that photo.
    record = recorded("vision_similarity")["request"]["a"]
    transport = httpx.MockTransport(lambda _: httpx.Response(200, json=record))
    client = VisionClient("http://vision", 5, transport=transport)

    stored = client.features(Path(__file__), "image/png")

    assert stored == record  # every field kept: /similarity needs the keypoints back
    phash, colour = descriptor_of(stored)
    assert phash == int(record["phash"], 16) and len(colour) == 64


def test_photo_similarity() -> None:
    exchange = recorded("vision_similarity")
    sent: list[dict[str, Any]] = []
    client = VisionClient("http://vision", 5, transport=serving("vision_similarity", sent))
    request = exchange["request"]

    scores = client.similarity(request["a"], request["candidates"], batch=500)

    assert sent == [request]
    assert scores == [result["score"] for result in exchange["reply"]["results"]]


def test_a_reply_out_of_contract_is_retried_not_stored() -> None:
    transport = httpx.MockTransport(lambda _: httpx.Response(200, json={"results": "nope"}))
    client = NlpClient("http://nlp", 5, transport=transport)

    with pytest.raises(ServiceError) as failure:
        client.analyze(["red bicycle"])

    assert failure.value.transient
    assert failure.value.reason == "the text service answered in an unexpected form"
