from fastapi.testclient import TestClient

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
    assert me.json() == {"id": body["id"], "name": "Ada", "email": "ada@example.org"}


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
