import re
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from backend.api.app.main import create_app
from backend.api.app.settings import ApiSettings
from backend.api.tests.helpers import ADMIN
from backend.common.models import Credential, CredentialKind
from backend.common.testing.smtp import smtp_server


def test_create_reporter_returns_a_working_token(client: TestClient) -> None:
    created = client.post("/reporters", json={"name": "Ada", "email": "ada@example.org"})

    assert created.status_code == 201
    body = created.json()
    assert body["name"] == "Ada"
    assert len(body["token"]) >= 40
    me = client.get("/reporters/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.json() == {
        "id": body["id"],
        "name": "Ada",
        "email": "ada@example.org",
        "role": "person",
        "office_id": None,
        "staff_role": None,
    }


def test_token_is_not_stored_in_clear(client: TestClient) -> None:
    token = client.post("/reporters", json={"name": "Ada"}).json()["token"]
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        stored = session.query(Credential).one()
    assert stored.secret_hash != token
    assert token not in stored.secret_hash


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


# -- accounts that last: the token shown once, kept, rotated, revoked, recovered ----------------


def me(client: TestClient, token: str) -> int:
    return client.get("/reporters/me", headers={"Authorization": f"Bearer {token}"}).status_code


def test_a_token_is_rotated_and_the_old_one_stops_working(client: TestClient) -> None:
    created = client.post("/reporters", json={"name": "Ada"}).json()
    old = created["token"]

    rotated = client.post("/reporters/me/token", headers={"Authorization": f"Bearer {old}"})

    assert rotated.status_code == 200
    new = rotated.json()["token"]
    assert new != old and rotated.json()["expires_at"] > created["expires_at"][:10]
    assert me(client, old) == 401
    assert me(client, new) == 200


def test_signing_out_revokes_one_token_or_every_token(client: TestClient) -> None:
    created = client.post("/reporters", json={"name": "Ada"}).json()
    first = created["token"]
    second = client.post(
        "/reporters/me/token", headers={"Authorization": f"Bearer {first}"}
    ).json()["token"]
    third = client.post(
        "/reporters/me/token", headers={"Authorization": f"Bearer {second}"}
    ).json()["token"]
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        # A second device: a token of its own (as a sign-in link gives one).
        reporter_id = uuid.UUID(created["id"])
        device, fourth = Credential.issue(reporter_id, CredentialKind.TOKEN, timedelta(days=1))
        session.add(device)
        session.commit()

    signed_out = client.delete("/reporters/me/token", headers={"Authorization": f"Bearer {third}"})
    assert signed_out.status_code == 204
    assert me(client, third) == 401
    assert (
        "revoked"
        in client.get("/reporters/me", headers={"Authorization": f"Bearer {third}"}).json()[
            "detail"
        ]
    )
    assert me(client, fourth) == 200

    everywhere = client.delete(
        "/reporters/me/token",
        params={"everywhere": "true"},
        headers={"Authorization": f"Bearer {fourth}"},
    )
    assert everywhere.status_code == 204
    assert me(client, fourth) == 401


def test_an_expired_token_is_refused_saying_so(settings: ApiSettings) -> None:
    short = settings.model_copy(update={"token_ttl_days": 1 / 86400 / 10})  # a tenth of a second
    client = TestClient(create_app(short))
    token = client.post("/reporters", json={"name": "Ada"}).json()["token"]
    time.sleep(0.2)

    refused = client.get("/reporters/me", headers={"Authorization": f"Bearer {token}"})

    assert refused.status_code == 401
    assert "expired" in refused.json()["detail"]
    assert refused.headers["www-authenticate"] == "Bearer"


def test_a_lost_token_is_recovered_by_a_sign_in_link_sent_by_e_mail(
    settings: ApiSettings,
) -> None:
    with smtp_server() as mailbox:
        mailing = settings.model_copy(
            update={
                "notification_backend": "smtp",
                "smtp_port": mailbox.port,
                "smtp_host": "127.0.0.1",
                "web_app_url": "https://lostfound.example.org",
            }
        )
        client = TestClient(create_app(mailing))
        created = client.post("/reporters", json={"name": "Ada", "email": "ada@example.org"})
        lost_token = created.json()["token"]

        asked = client.post("/reporters/sign-in-link", json={"email": "ada@example.org"})
        unknown = client.post("/reporters/sign-in-link", json={"email": "nobody@example.org"})

        assert asked.status_code == unknown.status_code == 202
        assert asked.json() == unknown.json()  # nobody learns who has an account
        [mail] = mailbox.wait_for(1)
        assert mail["To"] == "ada@example.org"
        link = re.search(r"https://lostfound\.example\.org/#/sign-in/(\S+)", mailbox.text(mail))
        assert link is not None
        code = link.group(1)

        signed_in = client.post("/reporters/sign-in", json={"code": code})
        again = client.post("/reporters/sign-in", json={"code": code})

        assert signed_in.status_code == 200
        assert signed_in.json()["reporter"]["id"] == created.json()["id"]
        assert me(client, signed_in.json()["token"]) == 200
        assert me(client, lost_token) == 200  # another device stays signed in
        assert again.status_code == 401  # a link works once
        assert client.post("/reporters/sign-in", json={"code": "made-up"}).status_code == 401
        time.sleep(0.5)
        assert len(mailbox.messages) == 1


def test_sign_in_links_are_rate_limited(settings: ApiSettings) -> None:
    client = TestClient(create_app(settings.model_copy(update={"sign_ins_per_ip": "2/hour"})))

    statuses = [
        client.post("/reporters/sign-in-link", json={"email": f"p{n}@example.org"}).status_code
        for n in range(3)
    ]

    assert statuses == [202, 202, 429]
