from pathlib import Path

from fastapi.testclient import TestClient

from backend.api.app.main import create_app
from backend.api.app.settings import ApiSettings
from backend.common.version import version_info


def test_healthz_is_exactly_ok(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_names_its_checks_and_nothing_internal(
    client: TestClient, settings: ApiSettings
) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ready"] is True
    assert body["database"]["ok"] is True
    assert body["app"] == "api"
    assert body["version"] == version_info().version  # no commit
    # What a client may send; never the machinery (which database, which broker).
    assert body["features"] == {
        "photos": True,
        "bulk_intake": True,
        "max_photo_bytes": settings.max_photo_bytes,
        "max_upload_pixels": settings.max_upload_pixels,
        "max_page_size": settings.max_page_size,
    }
    assert not {"postgresql", "sqlite", "redis", "filesystem"} & set(map(str, body["features"]))
    assert set(body) == {"ready", "database", "app", "version", "features"}


def test_legacy_health_is_kept(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_readyz_is_503_with_the_reason_when_the_database_is_down(settings: ApiSettings) -> None:
    down = settings.model_copy(
        update={"database_url": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    )
    client = TestClient(create_app(down))

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["ready"] is False
    assert body["database"]["ok"] is False
    assert "127.0.0.1" not in response.text and "OperationalError" not in response.text
    assert client.get("/healthz").status_code == 200


def test_lifespan_applies_migrations_to_a_new_embedded_database(tmp_path: Path) -> None:
    settings = ApiSettings(data_dir=tmp_path)
    assert settings.migrate_on_start

    with TestClient(create_app(settings)) as client:
        created = client.post("/reporters", json={"name": "Grace"})

    assert created.status_code == 201
    assert (tmp_path / "lostfound.sqlite3").exists()


def test_openapi_documents_every_endpoint(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    expected = {
        ("/reporters", "post"),
        ("/reporters/me", "get"),
        ("/items", "post"),
        ("/items", "get"),
        ("/items/{item_id}", "get"),
        ("/items/{item_id}", "patch"),
        ("/items/{item_id}", "delete"),
        ("/items/{item_id}/restore", "post"),
        ("/items/{item_id}/photo", "put"),
        ("/items/{item_id}/photo", "get"),
        ("/items/{item_id}/matches", "get"),
        ("/matches/{match_id}/confirm", "post"),
        ("/matches/{match_id}/reject", "post"),
        ("/healthz", "get"),
        ("/readyz", "get"),
    }
    documented = {(path, method) for path, methods in paths.items() for method in methods}
    assert expected <= documented
    create = paths["/items"]["post"]
    assert "requestBody" in create
    assert "201" in create["responses"]
