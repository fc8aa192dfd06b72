import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from backend.api.app.settings import ApiSettings
from backend.api.tests.helpers import MAX_PHOTO_BYTES, Headers, png_bytes

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


def upload(
    client: TestClient, item_id: str, headers: Headers, data: bytes, name: str = "p.png"
) -> Any:
    return client.put(
        f"/items/{item_id}/photo",
        files={"file": (name, data, "image/png")},
        headers=headers,
    )


def test_upload_stores_the_bytes_under_a_generated_name(
    client: TestClient, settings: ApiSettings, owned_item: tuple[str, Headers]
) -> None:
    item_id, headers = owned_item
    photo = png_bytes()

    response = upload(client, item_id, headers, photo, name="../../etc/passwd.png")

    assert response.status_code == 200, response.text
    assert response.json()["content_type"] == "image/png"
    assert response.json()["size_bytes"] == len(photo)
    files = stored_files(settings)
    assert len(files) == 1 and files[0].endswith(".png") and "passwd" not in files[0]
    served = client.get(f"/items/{item_id}/photo")
    assert served.status_code == 200
    assert served.content == photo
    assert served.headers["content-type"] == "image/png"
    item = client.get(f"/items/{item_id}").json()
    assert item["photo"]["sha256"] == response.json()["sha256"]
    assert item["enrichment_state"] == "pending"


def test_type_is_judged_by_bytes_not_by_name(
    client: TestClient, settings: ApiSettings, owned_item: tuple[str, Headers]
) -> None:
    item_id, headers = owned_item

    disguised = upload(client, item_id, headers, b"#!/bin/sh\necho hi\n" * 10, name="cat.png")
    jpeg_named_txt = upload(client, item_id, headers, JPEG_HEAD + b"\x00" * 100, name="x.txt")

    assert disguised.status_code == 415
    assert "not a JPEG, PNG or WebP" in disguised.json()["detail"]
    assert jpeg_named_txt.status_code == 200
    assert jpeg_named_txt.json()["content_type"] == "image/jpeg"
    assert len(stored_files(settings)) == 1


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


def test_empty_upload_is_422(
    client: TestClient, settings: ApiSettings, owned_item: tuple[str, Headers]
) -> None:
    item_id, headers = owned_item
    assert upload(client, item_id, headers, b"").status_code == 422
    assert stored_files(settings) == []


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
    assert client.get(f"/items/{item_id}/photo").status_code == 404


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
