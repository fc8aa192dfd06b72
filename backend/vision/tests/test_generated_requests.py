"""Generated requests (schemathesis) against the vision service: no answer is a 5xx and every
answer is what its OpenAPI document says."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.common.testing.generated_requests import generated_request_tests
from backend.vision.server.main import create_app

pytestmark = pytest.mark.integration

EXAMPLES = 150


@pytest.fixture(scope="module")
def vision_app() -> Iterator[Any]:
    app = create_app()
    with TestClient(app) as client:  # runs the OpenCV self-test
        assert client.get("/readyz").status_code == 200
        yield app


vision_schema, test_no_5xx_and_every_answer_is_documented, test_enough_generated_requests_ran = (
    generated_request_tests(
        "vision_app",
        examples=EXAMPLES,
        operations=4,
        unstatable={
            "POST /features": "the file is an image (a schema says only: bytes)",
            "POST /compare": "both files are images",
            "POST /similarity": "a record's points and descriptors hold as many entries each, "
            "in base64 of float32 pairs and 32-byte descriptors",
        },
    )
)
