import hashlib
import io
import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy.orm import Session

from backend.api.app.main import create_app
from backend.api.app.settings import ApiSettings
from backend.api.tests.helpers import MAX_PHOTO_BYTES, Headers, bomb_png, item_body, png_bytes
from backend.common.limits import MAX_PHOTO_SIDE_PX

NewReporter = Callable[..., tuple[uuid.UUID, Headers]]
NewItem = Callable[..., dict[str, Any]]

JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"


def stored_files(settings: ApiSettings) -> list[str]:
    root = settings.photos_path
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


@pytest.fixture()
def owned_item(new_reporter: NewReporter, new_item: NewItem) -> tuple[str, Headers]:
    _, headers = new_reporter()
    return new_item(headers)["id"], headers


def reporter_with_an_item(settings: ApiSettings) -> tuple[TestClient, Headers, str]:
    """A client of an API with `settings`, a reporter's headers and their report's id."""
    client = TestClient(create_app(settings))
    token = client.post("/reporters", json={"name": "Ada"}).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    return client, headers, client.post("/items", json=item_body(), headers=headers).json()["id"]


def upload(
    client: TestClient, item_id: str, headers: Headers, data: bytes, name: str = "p.png"
) -> Any:
    return client.put(
        f"/items/{item_id}/photo",
        files={"file": (name, data, "image/png")},
        headers=headers,
    )


def test_upload_is_stored_re_encoded_under_a_generated_name(
    client: TestClient, settings: ApiSettings, owned_item: tuple[str, Headers]
) -> None:
    item_id, headers = owned_item

    response = upload(client, item_id, headers, png_bytes(), name="../../etc/passwd.png")

    assert response.status_code == 200, response.text
    assert response.json()["content_type"] == "image/jpeg"
    assert response.json()["url"] == f"{settings.base_url}/items/{item_id}/photo"
    files = stored_files(settings)
    assert len(files) == 1 and files[0].endswith(".jpg") and "passwd" not in files[0]
    served = client.get(f"/items/{item_id}/photo", headers=headers)
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert hashlib.sha256(served.content).hexdigest() == response.json()["sha256"]
    assert Image.open(io.BytesIO(served.content)).size == (8, 8)
    item = client.get(f"/items/{item_id}", headers=headers).json()
    assert item["photo"]["sha256"] == response.json()["sha256"]
    assert item["enrichment_state"] == "pending"


def test_metadata_and_appended_bytes_are_gone_and_orientation_applied(
    client: TestClient, owned_item: tuple[str, Headers]
) -> None:
    item_id, headers = owned_item
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 degrees to show upright
    exif[0x013B] = "Ada Lovelace"  # artist: an owner tag
    exif[0x8825] = {1: "N", 2: (52.0, 22.0, 45.0)}  # GPS: where the photo was taken
    original = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(original, format="JPEG", exif=exif)
    hostile = original.getvalue() + b"<script>alert(1)</script>"

    response = upload(client, item_id, headers, hostile, name="p.jpg")

    assert response.status_code == 200, response.text
    served = client.get(f"/items/{item_id}/photo", headers=headers).content
    assert b"<script>" not in served and b"Ada Lovelace" not in served
    stored = Image.open(io.BytesIO(served))
    assert not stored.getexif()
    assert stored.size == (20, 40)  # upright


def test_a_48_megapixel_phone_photo_is_stored_small(settings: ApiSettings) -> None:
    photo = io.BytesIO()
    Image.new("RGB", (8000, 6000), (30, 90, 160)).save(photo, format="JPEG", quality=50)
    roomy = settings.model_copy(update={"max_photo_bytes": len(photo.getvalue()) + 1})
    client, headers, item_id = reporter_with_an_item(roomy)

    response = upload(client, item_id, headers, photo.getvalue(), name="p.jpg")

    assert response.status_code == 200, response.text
    served = client.get(f"/items/{item_id}/photo", headers=headers).content
    assert max(Image.open(io.BytesIO(served)).size) == MAX_PHOTO_SIDE_PX


def test_type_is_judged_by_bytes_not_by_name(
    client: TestClient, settings: ApiSettings, owned_item: tuple[str, Headers]
) -> None:
    item_id, headers = owned_item

    disguised = upload(client, item_id, headers, b"#!/bin/sh\necho hi\n" * 10, name="cat.png")
    truncated_jpeg = upload(client, item_id, headers, JPEG_HEAD + b"\x00" * 100, name="x.txt")
    jpeg_named_txt = upload(client, item_id, headers, png_bytes(), name="x.txt")

    assert disguised.status_code == 415
    assert "not an accepted image" in disguised.json()["detail"]
    assert truncated_jpeg.status_code == 422
    assert truncated_jpeg.json()["detail"][0]["loc"] == ["body", "file"]
    assert "corrupt or truncated" in truncated_jpeg.json()["detail"][0]["msg"]
    assert jpeg_named_txt.status_code == 200
    assert len(stored_files(settings)) == 1


def test_only_the_reporter_sees_the_photo(
    client: TestClient, owned_item: tuple[str, Headers], new_reporter: NewReporter
) -> None:
    item_id, headers = owned_item
    _, stranger = new_reporter("Eve")
    assert upload(client, item_id, headers, png_bytes()).status_code == 200

    assert client.get(f"/items/{item_id}/photo").status_code == 403
    assert client.get(f"/items/{item_id}/photo", headers=stranger).status_code == 403
    assert client.get(f"/items/{item_id}").json()["photo"] is None


def test_reading_while_the_photo_is_replaced_never_fails(
    client: TestClient, owned_item: tuple[str, Headers]
) -> None:
    item_id, headers = owned_item
    assert upload(client, item_id, headers, png_bytes(rgb=(1, 2, 3))).status_code == 200
    statuses: list[int] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            statuses.append(client.get(f"/items/{item_id}/photo", headers=headers).status_code)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for shade in range(30):
            assert upload(client, item_id, headers, png_bytes(rgb=(shade, 0, 0))).status_code == 200
    finally:
        stop.set()
        reader.join(30)
    assert statuses and set(statuses) == {200}


def test_too_large_is_413_and_leaves_no_file(
    client: TestClient, settings: ApiSettings, owned_item: tuple[str, Headers]
) -> None:
    item_id, headers = owned_item
    big = png_bytes() + b"\x00" * MAX_PHOTO_BYTES

    response = upload(client, item_id, headers, big)

    assert response.status_code == 413
    assert str(MAX_PHOTO_BYTES) in response.json()["detail"]
    assert stored_files(settings) == []
    assert client.get(f"/items/{item_id}").json()["photo"] is None


def test_empty_upload_is_422_shaped_like_every_other(
    client: TestClient, settings: ApiSettings, owned_item: tuple[str, Headers]
) -> None:
    item_id, headers = owned_item

    response = upload(client, item_id, headers, b"")

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "file"] and "empty" in error["msg"]
    assert stored_files(settings) == []


def test_a_decompression_bomb_is_refused_before_decoding(settings: ApiSettings) -> None:
    bomb = bomb_png(6300, 6300)  # 40 megapixels to decode, in a file of ~150 kB
    declared = bomb_png(12_000, 12_000)  # beyond what any image may declare
    roomy = settings.model_copy(update={"max_photo_bytes": 2 * len(declared)})
    client, headers, item_id = reporter_with_an_item(roomy)

    refused = upload(client, item_id, headers, bomb)
    too_large = upload(client, item_id, headers, declared)

    assert refused.status_code == 413
    assert "pixels to decode" in refused.json()["detail"]
    assert too_large.status_code == 413
    assert "the limit is" in too_large.json()["detail"]
    assert stored_files(roomy) == []


def test_photo_uploads_are_rate_limited(settings: ApiSettings) -> None:
    limited = settings.model_copy(update={"photos_per_reporter": "2/hour"})
    client, headers, item_id = reporter_with_an_item(limited)

    statuses = [upload(client, item_id, headers, png_bytes()).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_concurrent_replacements_are_serialised_and_the_last_wins(
    client: TestClient, settings: ApiSettings, owned_item: tuple[str, Headers]
) -> None:
    item_id, headers = owned_item
    results: list[int] = []
    start = threading.Barrier(3)

    def replace(shade: int) -> None:
        start.wait()
        results.append(upload(client, item_id, headers, png_bytes(rgb=(shade, 0, 0))).status_code)

    threads = [threading.Thread(target=replace, args=(shade,)) for shade in (10, 20, 30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert results == [200, 200, 200]
    photo = client.get(f"/items/{item_id}", headers=headers).json()["photo"]
    [kept] = stored_files(settings)
    assert hashlib.sha256((settings.photos_path / kept).read_bytes()).hexdigest() == photo["sha256"]


def test_replacing_a_photo_removes_the_old_file(
    client: TestClient, settings: ApiSettings, owned_item: tuple[str, Headers]
) -> None:
    item_id, headers = owned_item
    upload(client, item_id, headers, png_bytes(rgb=(1, 2, 3)))
    first = stored_files(settings)

    replaced = upload(client, item_id, headers, png_bytes(rgb=(9, 9, 9)))

    assert replaced.status_code == 200
    assert len(stored_files(settings)) == 1
    assert stored_files(settings) != first


def test_only_the_owner_uploads(
    client: TestClient,
    settings: ApiSettings,
    owned_item: tuple[str, Headers],
    new_reporter: NewReporter,
) -> None:
    item_id, _ = owned_item
    _, other = new_reporter("Bob")

    assert upload(client, item_id, other, png_bytes()).status_code == 403
    assert upload(client, item_id, {}, png_bytes()).status_code == 401
    assert upload(client, str(uuid.uuid4()), other, png_bytes()).status_code == 404
    assert stored_files(settings) == []
    assert client.get(f"/items/{item_id}/photo", headers=owned_item[1]).status_code == 404


def test_failed_transaction_leaves_no_orphan_file(
    client: TestClient,
    settings: ApiSettings,
    owned_item: tuple[str, Headers],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    item_id, headers = owned_item

    def fail(self: Session) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(Session, "commit", fail)
    response = upload(client, item_id, headers, png_bytes())
    monkeypatch.undo()

    assert response.status_code == 500
    assert stored_files(settings) == []
    assert client.get(f"/items/{item_id}").json()["photo"] is None
