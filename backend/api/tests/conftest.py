"""Every API test runs twice: on SQLite and on a throw-away PostgreSQL database."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from backend.api.app.main import create_app
from backend.api.app.settings import ApiSettings
from backend.api.tests.helpers import ADMIN_TOKEN, MAX_PHOTO_BYTES, Headers, item_body
from backend.common.db.migrations import upgrade
from backend.common.models import Base
from backend.common.models.desk import APPEND_ONLY
from backend.common.testing.postgres import throwaway_database


@pytest.fixture(
    scope="session",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)],
)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'api.sqlite3'}"
        upgrade(url)
        yield url
        return
    with throwaway_database("lf_api") as server:
        url = server.render_as_string(hide_password=False)
        upgrade(url)
        yield url


@pytest.fixture()
def settings(database_url: str, tmp_path: Path) -> ApiSettings:
    return ApiSettings(
        database_url=database_url,
        data_dir=tmp_path,
        admin_token=SecretStr(ADMIN_TOKEN),
        max_photo_bytes=MAX_PHOTO_BYTES,
        max_page_size=50,
        default_page_size=10,
        photos_per_reporter="1000/hour",  # tests replace photos in quick succession
    )


@pytest.fixture()
def app(settings: ApiSettings) -> Iterator[FastAPI]:
    app = create_app(settings)
    yield app
    with app.state.engine.begin() as conn:
        # The items' trails refuse DELETE (models/desk.py): lifted for the clean-up only.
        create, drop = APPEND_ONLY[conn.dialect.name]
        for statement in drop:
            conn.exec_driver_sql(statement)
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
        for statement in create:
            conn.exec_driver_sql(statement)
    app.state.engine.dispose()


@pytest.fixture()
def client(app: FastAPI) -> TestClient:
    # No `with`: the app must work without its lifespan having run.
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture()
def new_reporter(client: TestClient) -> Callable[..., tuple[uuid.UUID, Headers]]:
    def make(name: str = "Ada", email: str | None = "ada@example.org") -> tuple[uuid.UUID, Headers]:
        response = client.post("/reporters", json={"name": name, "email": email})
        assert response.status_code == 201, response.text
        body = response.json()
        return uuid.UUID(body["id"]), {"Authorization": f"Bearer {body['token']}"}

    return make


@pytest.fixture()
def new_item(client: TestClient) -> Callable[..., dict[str, Any]]:
    def make(headers: Headers, **overrides: Any) -> dict[str, Any]:
        response = client.post("/items", json=item_body(**overrides), headers=headers)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    return make
