"""Generated requests (schemathesis) against the NLP service with its real models: no answer is
a 5xx and every answer is what its OpenAPI document says."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.common.testing.generated_requests import generated_request_tests
from backend.nlp.server.main import create_app

pytestmark = pytest.mark.integration

EXAMPLES = 260  # per operation: the probes take few, /embed and /entities the rest


@pytest.fixture(scope="module")
def nlp_app() -> Iterator[Any]:
    app = create_app()
    with TestClient(app) as client:  # starts loading the models
        assert app.state.models.wait_loaded(120)
        assert client.get("/readyz").status_code == 200
        yield app


nlp_schema, test_no_5xx_and_every_answer_is_documented, test_enough_generated_requests_ran = (
    generated_request_tests("nlp_app", examples=EXAMPLES, operations=4)
)
