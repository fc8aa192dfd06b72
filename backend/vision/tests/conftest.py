from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from backend.vision.server.main import create_app
from backend.vision.server.settings import VisionSettings

MAX_BYTES = 2_000_000
MAX_PIXELS = 12_000_000


@pytest.fixture(scope="module")
def settings() -> VisionSettings:
    return VisionSettings(max_image_bytes=MAX_BYTES, max_image_pixels=MAX_PIXELS, max_candidates=50)


@pytest.fixture(scope="module")
def client(settings: VisionSettings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client
