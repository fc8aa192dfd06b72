from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from backend.api.app.main import create_app
from backend.api.app.settings import ApiSettings
from backend.api.tests.helpers import ADMIN
from backend.common.models import Reporter


def test_create_reporter_returns_a_working_token(client: TestClient) -> None:
    created = client.post("/reporters", json={"name": "Ada", "email": "ada@example.org"})

    assert created.status_code == 201
    body = created.json()
    assert body["name"] == "Ada"
    assert len(body["token"]) >= 40
    me = client.get("/reporters/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    expected = {"id": body["id"], "name": "Ada", "email": "ada@example.org", "role": "person"}
    assert me.json() == expected


def test_token_is_not_stored_in_clear(client: TestClient) -> None:
    token = client.post("/reporters", json={"name": "Ada"}).json()["token"]
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        stored = session.query(Reporter).one()
    assert stored.token_hash != token
    assert token not in stored.token_hash


def test_missing_and_invalid_tokens_are_401(client: TestClient) -> None:
    assert client.get("/reporters/me").status_code == 401
    invalid = client.get("/reporters/me", headers={"Authorization": "Bearer nope"})
    assert invalid.status_code == 401
    assert invalid.json()["detail"] == "invalid bearer token"


def test_bad_reporter_fields_are_422_naming_the_field(client: TestClient) -> None:
    response = client.post("/reporters", json={"name": "", "email": "not-an-email"})

    assert response.status_code == 422
    fields = {tuple(error["loc"]) for error in response.json()["detail"]}
    assert ("body", "name") in fields
    assert ("body", "email") in fields


def test_admin_token_has_no_reporter(client: TestClient) -> None:
    assert client.get("/reporters/me", headers=ADMIN).status_code == 404


def test_a_reporter_lists_their_own_reports_only(
    client: TestClient, new_reporter: Callable[..., Any], new_item: Callable[..., Any]
) -> None:
    _, ada = new_reporter()
    _, bob = new_reporter("Bob", "bob@example.org")
    first = new_item(ada, title="Black wallet")
    second = new_item(ada, title="Blue umbrella")
    new_item(bob, title="Red bicycle")

    mine = client.get("/reporters/me/items", headers=ada)

    assert mine.status_code == 200, mine.text
    body = mine.json()
    assert body["total"] == 2
    assert [item["id"] for item in body["items"]] == [second["id"], first["id"]]  # newest first
    assert all(item["contact"] == "ada@example.org" for item in body["items"])  # private view
    assert client.get("/reporters/me/items").status_code == 401


def test_browsers_of_the_configured_web_origin_only_may_call_the_api(
    settings: ApiSettings,
) -> None:
    app = create_app(settings.model_copy(update={"cors_origins": ["http://web.example"]}))
    client = TestClient(app)
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization",
    }

    allowed = client.options("/items", headers={"Origin": "http://web.example", **preflight})
    other = client.options("/items", headers={"Origin": "http://evil.example", **preflight})

    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "http://web.example"
    assert "access-control-allow-origin" not in other.headers
    app.state.engine.dispose()
