"""Generated requests (schemathesis) against the vision service: no answer is a 5xx and every
answer is what its OpenAPI document says."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient

from backend.common.testing.generated_requests import CaseLog, generation
from backend.vision.server.main import create_app

pytestmark = pytest.mark.integration

EXAMPLES = 150


@pytest.fixture(scope="module")
def vision_app() -> Iterator[Any]:
    app = create_app()
    with TestClient(app) as client:  # runs the OpenCV self-test
        assert client.get("/readyz").status_code == 200
        yield app


@pytest.fixture(scope="module")
def vision_schema(vision_app: Any) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", vision_app)


schema = schemathesis.pytest.from_fixture("vision_schema")
cases = CaseLog()


@schema.parametrize()
@generation(EXAMPLES)
def test_no_5xx_and_every_answer_is_documented(case: Any) -> None:
    cases.call_and_validate(case)


def test_enough_generated_requests_ran() -> None:
    cases.assert_enough(operations=4)
