from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from backend.nlp.server.main import create_app
from backend.nlp.server.settings import NlpSettings

MAX_TEXTS = 40
MAX_CHARS = 500


@pytest.fixture(scope="module")
def settings() -> NlpSettings:
    return NlpSettings(max_texts=MAX_TEXTS, max_chars=MAX_CHARS)


@pytest.fixture(scope="module")
def client(settings: NlpSettings) -> Iterator[TestClient]:
    """The real models, loaded once per test module."""
    with TestClient(create_app(settings)) as client:
        assert client.get("/readyz").status_code in (200, 503)
        yield client
