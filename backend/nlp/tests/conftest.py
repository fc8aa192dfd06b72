import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from backend.nlp.server.main import create_app
from backend.nlp.server.settings import NlpSettings

MAX_TEXTS = 40
MAX_CHARS = 500
LOAD_DEADLINE_S = 120


@pytest.fixture(scope="module")
def settings() -> NlpSettings:
    return NlpSettings(max_texts=MAX_TEXTS, max_chars=MAX_CHARS)


@pytest.fixture(scope="module")
def client(settings: NlpSettings) -> Iterator[TestClient]:
    """The real models, loaded once per test module."""
    with TestClient(create_app(settings)) as client:
        # Ready means both models loaded: wait for it (a failed load never becomes ready).
        deadline = time.monotonic() + LOAD_DEADLINE_S
        while (ready := client.get("/readyz")).status_code != 200:
            assert ready.status_code == 503, ready.text
            assert time.monotonic() < deadline, ready.text
            time.sleep(0.2)
        yield client
