import io
import json
import struct
import zlib

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from backend.common.contracts.vision import MODEL_VERSION
from backend.vision.server.main import create_app
from backend.vision.server.settings import VisionSettings
from backend.vision.tests import synthetic
from backend.vision.tests.conftest import MAX_BYTES, MAX_PIXELS


def post_image(client: TestClient, data: bytes, name: str = "x.jpg") -> tuple[int, dict]:
    response = client.post("/features", files={"file": (name, data, "image/jpeg")})
    return response.status_code, response.json()


def png_bomb(width: int, height: int) -> bytes:
    """A valid grey PNG of width x height zeros: a few hundred KB that inflate to width*height."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    compressor = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def test_probes(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["ready"] is True
    assert ready.json()["model_version"]


def test_readyz_works_without_lifespan_and_reports_a_broken_pipeline(
    settings: VisionSettings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # No `with`: the first probe runs the self-test itself.
    assert TestClient(create_app(settings)).get("/readyz").status_code == 200

    from backend.vision.server import main

    def broken(self: object) -> None:
        raise RuntimeError("cv2 cannot run here")

    monkeypatch.setattr(main.Pipeline, "_exercise", broken)
    response = TestClient(create_app(settings)).get("/readyz")
    assert response.status_code == 503
    assert response.json()["opencv_pipeline"]["ok"] is False
    assert "cv2 cannot run here" in caplog.text  # the reason is logged, not published


def test_feature_record_is_compact_json(client: TestClient) -> None:
    status, record = post_image(client, synthetic.encode(synthetic.photo(3, "orange", 1)))

    assert status == 200
    assert record["width"] == 640 and record["height"] == 480
    assert len(record["phash"]) == 16
    assert len(record["colour_hist"]) == 256
    assert record["keypoints"] > 100
    assert record["model_version"]


def test_not_an_image_is_415(client: TestClient) -> None:
    status, body = post_image(client, b"%PDF-1.7 definitely not a photo" * 10, name="photo.jpg")
    assert status == 415
    assert "not an accepted image" in body["detail"]


def test_truncated_jpeg_is_422(client: TestClient) -> None:
    whole = synthetic.encode(synthetic.photo(2, "purple", 3))
    status, body = post_image(client, whole[: len(whole) // 2])
    assert status == 422
    [error] = body["detail"]
    assert error["loc"] == ["body", "file"]
    assert "corrupt or truncated" in error["msg"]


def test_garbage_after_a_png_signature_is_422(client: TestClient) -> None:
    status, body = post_image(client, b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, name="x.png")
    assert status == 422


def test_too_many_bytes_is_413(client: TestClient) -> None:
    status, body = post_image(client, b"\xff\xd8\xff" + b"\x00" * MAX_BYTES)
    assert status == 413
    assert str(MAX_BYTES) in body["detail"]


def test_png_bomb_is_refused_from_its_header(client: TestClient) -> None:
    bomb = png_bomb(16_000, 16_000)  # 256 megapixels from a few hundred KB
    assert len(bomb) < MAX_BYTES

    status, body = post_image(client, bomb, name="bomb.png")

    assert status == 413
    assert "16000x16000" in body["detail"]
    assert str(MAX_PIXELS) in body["detail"]


def test_exif_orientation_is_honoured(client: TestClient) -> None:
    image = Image.fromarray(synthetic.photo(4, "teal", 5))  # 640 wide, 480 high
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)

    status, record = post_image(client, buffer.getvalue())

    assert status == 200
    assert (record["width"], record["height"]) == (480, 640)


def test_large_images_are_downscaled_before_extraction(
    client: TestClient, settings: VisionSettings
) -> None:
    big = synthetic.scale(synthetic.photo(5, "brown", 6), 4.0)  # 2560 x 1920
    status, record = post_image(client, synthetic.encode(big))

    assert status == 200
    assert (record["width"], record["height"]) == (2560, 1920)
    assert max(record["work_width"], record["work_height"]) <= settings.work_size


def test_similarity_input_errors(client: TestClient) -> None:
    _, record = post_image(client, synthetic.encode(synthetic.photo(6, "red", 7)))

    both = client.post("/similarity", json={"a": record, "b": record, "candidates": [record]})
    neither = client.post("/similarity", json={"a": record})
    bad = client.post("/similarity", json={"a": record, "b": {**record, "descriptors": "!!"}})
    old = client.post("/similarity", json={"a": record, "b": {**record, "model_version": "v0"}})
    too_many = client.post("/similarity", json={"a": record, "candidates": [record] * 51})

    assert both.status_code == neither.status_code == 422
    assert bad.status_code == 422
    assert {"b", "descriptors"} <= set(bad.json()["detail"][0]["loc"])
    assert old.status_code == 422 and MODEL_VERSION in old.text  # extract the features again
    assert too_many.status_code == 413


@pytest.mark.parametrize("value", [1e39, float("nan"), float("inf"), -1.0])
def test_histogram_values_that_are_not_finite_numbers_are_422(
    client: TestClient, value: float
) -> None:
    _, record = post_image(client, synthetic.encode(synthetic.photo(7, "red", 8)))
    hist = [*record["colour_hist"]]
    hist[3] = value
    # NaN and infinity are not JSON: sent as Python writes them, as an outside client did.
    body = json.dumps({"a": record, "b": {**record, "colour_hist": hist}})

    response = client.post(
        "/similarity", content=body, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 422, response.text
    locations = [error["loc"] for error in response.json()["detail"]]
    assert ["body", "PairSimilarityRequest", "b", "colour_hist", 3] in locations
