"""What outside testers sent that once answered 500 (or stored something wrong): each now gets a
4xx that says what was wrong, and nothing is half stored. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

import anyio
import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr, ValidationError
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from backend.api.app.main import create_app
from backend.api.app.settings import ApiSettings
from backend.api.tests.helpers import ADMIN, Headers, item_body
from backend.common.db import make_engine
from backend.common.inputs import refuse_unprintable

NewReporter = Callable[..., tuple[uuid.UUID, Headers]]
NewItem = Callable[..., dict[str, Any]]


def post_raw(client: TestClient, path: str, body: str, headers: Headers) -> Any:
    """Send JSON text as written: NaN, lone surrogates and NULs survive the trip."""
    return client.post(
        path, content=body.encode(), headers={**headers, "content-type": "application/json"}
    )


def count_items(client: TestClient) -> int:
    return int(client.get("/items").json()["total"])


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("contact", "a\u0000b"),
        ("title", "wallet\u0000"),
        ("description", "red\u0000stripe"),
        ("place_name", "bell\u0007"),
        ("title", "x\ud800y"),
        ("title", "wal\u0085let"),  # C1 controls: refused, as the documented pattern says
        ("private_details", "initials\u009b"),
    ],
)
def test_control_characters_and_lone_surrogates_in_text_are_422(
    client: TestClient, new_reporter: NewReporter, field: str, value: str
) -> None:
    _, headers = new_reporter()
    body = json.dumps(item_body(**{field: value}))  # \u escapes: the text arrives as sent

    response = post_raw(client, "/items", body, headers)

    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", field]
    # Control characters by our rule; a lone surrogate already by the JSON parser.
    assert "character U+" in error["msg"] or "unicode string" in error["msg"]
    assert count_items(client) == 0


def test_the_documented_text_pattern_is_the_rule_applied(client: TestClient) -> None:
    """Every character the OpenAPI pattern allows is accepted and every one it refuses is
    refused (the C0, DEL and C1 controls)."""
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    pattern = re.compile(schema["ItemCreate"]["properties"]["title"]["pattern"])
    for code in [*range(0x00, 0x21), *range(0x7E, 0xA1), 0x2028, 0xFEFF]:
        char = chr(code)
        try:
            refuse_unprintable(f"a{char}b")
            accepted = True
        except ValueError:
            accepted = False
        assert accepted == bool(pattern.match(f"a{char}b")), f"U+{code:04X}"


def test_options_names_every_method_of_the_path(client: TestClient) -> None:
    items = client.options("/items")
    one = client.options(f"/items/{uuid.uuid4()}")

    assert items.status_code == one.status_code == 405
    assert set(items.headers["allow"].split(", ")) >= {"GET", "POST"}
    assert set(one.headers["allow"].split(", ")) >= {"GET", "PATCH", "DELETE"}


def test_a_lone_surrogate_in_a_name_is_422(client: TestClient) -> None:
    response = post_raw(client, "/reporters", '{"name": "\\ud800"}', {})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "name"]


def test_line_breaks_are_fine_in_a_description(
    client: TestClient, new_reporter: NewReporter
) -> None:
    _, headers = new_reporter()
    response = client.post(
        "/items", json=item_body(description="Red stripe inside.\nCards:\tthree"), headers=headers
    )
    assert response.status_code == 201


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "false", "true", '"52.1"'])
def test_latitude_must_be_a_finite_json_number(
    client: TestClient, new_reporter: NewReporter, number: str
) -> None:
    _, headers = new_reporter()
    body = json.dumps(item_body()).replace('"latitude": 52.3791', f'"latitude": {number}')

    response = post_raw(client, "/items", body, headers)

    assert response.status_code == 422, response.text  # and it renders (NaN once broke it)
    assert response.json()["detail"][0]["loc"] == ["body", "latitude"]
    assert count_items(client) == 0


@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00:00+01:00", "1969-12-31T23:59:59Z", "9999-12-31T23:00:00-05:00"]
)
def test_implausible_times_are_422_and_the_listing_keeps_working(
    client: TestClient, new_reporter: NewReporter, moment: str
) -> None:
    _, headers = new_reporter()

    response = client.post("/items", json=item_body(occurred_at=moment), headers=headers)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:2] == ["body", "occurred_at"]
    assert client.get("/items").status_code == 200
    assert client.get("/items?near=52,4").status_code == 200


def test_times_are_stored_in_utc(client: TestClient, new_reporter: NewReporter) -> None:
    _, headers = new_reporter()
    created = client.post(
        "/items", json=item_body(occurred_at="2026-01-02T03:04:05+05:30"), headers=headers
    )
    assert created.json()["occurred_at"] == "2026-01-01T21:34:05Z"


def test_unix_times_are_not_dates(client: TestClient, new_reporter: NewReporter) -> None:
    _, headers = new_reporter()
    assert client.post("/items", json=item_body(occurred_at=0), headers=headers).status_code == 422
    assert client.get("/items?occurred_to=0.5").status_code == 422


@pytest.mark.parametrize("field", ["status", "description", "title", "contact", "occurred_at"])
def test_patch_null_on_a_required_field_is_422(
    client: TestClient, new_reporter: NewReporter, new_item: NewItem, field: str
) -> None:
    _, headers = new_reporter()
    item = new_item(headers)

    response = client.patch(f"/items/{item['id']}", json={field: None}, headers=headers)

    assert response.status_code == 422
    assert f"{field} cannot be null" in response.json()["detail"][0]["msg"]


def test_patch_latitude_without_longitude_is_422(
    client: TestClient, new_reporter: NewReporter, new_item: NewItem
) -> None:
    _, headers = new_reporter()
    item = new_item(headers, latitude=None, longitude=None)

    for body in ({"latitude": 1.0, "longitude": None}, {"latitude": 1.0}):
        response = client.patch(f"/items/{item['id']}", json=body, headers=headers)
        assert response.status_code == 422
        assert "go together" in response.text
    assert client.get(f"/items/{item['id']}", headers=headers).json()["latitude"] is None


def test_a_page_beyond_any_listing_is_422(client: TestClient) -> None:
    response = client.get("/items?page=2305843009213693952")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "page"]


def test_naive_and_aware_bounds_together_work(client: TestClient) -> None:
    response = client.get(
        "/items",
        params={"occurred_from": "2026-01-01T00:00:00", "occurred_to": "2026-02-01T00:00:00Z"},
    )
    assert response.status_code == 200


@pytest.mark.parametrize("parameter", ["q", "category"])
def test_nul_in_a_query_parameter_is_422(client: TestClient, parameter: str) -> None:
    response = client.get("/items", params={parameter: "wal\u0000let"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", parameter]


@pytest.mark.parametrize("token", ["caf\xe9-token", "\xff\xfe", "t\u00e9st" * 10])
def test_a_bearer_token_of_any_bytes_is_401(client: TestClient, token: str) -> None:
    raw = f"Bearer {token}".encode("latin-1")
    response = client.get("/reporters/me", headers={"Authorization": raw})
    assert response.status_code == 401
    assert client.get("/reporters/me", headers=ADMIN).status_code == 404  # admin still works


def test_photo_urls_come_from_the_configured_address_not_the_host_header(
    settings: ApiSettings, new_reporter: NewReporter, new_item: NewItem
) -> None:
    public = settings.model_copy(update={"public_base_url": "https://lostfound.example.org"})
    client = TestClient(create_app(public), base_url="http://evil.example")
    token = client.post("/reporters", json={"name": "Ada"}).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    item = client.post("/items", json=item_body(), headers=headers).json()
    from backend.api.tests.helpers import png_bytes

    uploaded = client.put(
        f"/items/{item['id']}/photo", files={"file": ("p.png", png_bytes())}, headers=headers
    )

    assert uploaded.json()["url"] == f"https://lostfound.example.org/items/{item['id']}/photo"
    assert "evil" not in client.get(f"/items/{item['id']}", headers=headers).text


def test_a_huge_json_body_is_refused_before_it_is_read(
    client: TestClient, settings: ApiSettings, new_reporter: NewReporter
) -> None:
    _, headers = new_reporter()
    declared = client.post(
        "/items",
        content=b"{}",
        headers={**headers, "content-type": "application/json", "content-length": "62914560"},
    )

    def chunks() -> Any:  # no Content-Length: counted as it arrives
        yield b'{"title": "'
        for _ in range(200):
            yield b"x" * 1024

    streamed = client.post(
        "/items", content=chunks(), headers={**headers, "content-type": "application/json"}
    )

    for response in (declared, streamed):
        assert response.status_code == 413
        assert f"limit of {settings.max_json_bytes} bytes" in response.json()["detail"]
    assert count_items(client) == 0


def test_registrations_are_rate_limited(settings: ApiSettings) -> None:
    client = TestClient(create_app(settings.model_copy(update={"registrations_per_ip": "3/hour"})))

    answers = [client.post("/reporters", json={"name": f"bot {n}"}) for n in range(5)]

    assert [a.status_code for a in answers] == [201, 201, 201, 429, 429]
    assert int(answers[3].headers["Retry-After"]) > 0
    assert "the limit is 3 per 1 hour" in answers[3].json()["detail"]


def test_reports_are_rate_limited_per_reporter(settings: ApiSettings) -> None:
    client = TestClient(
        create_app(settings.model_copy(update={"reports_per_reporter": "2/minute"}))
    )
    tokens = [client.post("/reporters", json={"name": n}).json()["token"] for n in ("A", "B")]
    first, second = ({"Authorization": f"Bearer {t}"} for t in tokens)

    mine = [client.post("/items", json=item_body(), headers=first).status_code for _ in range(3)]
    theirs = client.post("/items", json=item_body(), headers=second).status_code

    assert mine == [201, 201, 429]
    assert theirs == 201  # the limit is per reporter


@pytest.mark.parametrize("value", ["100000", "60/fortnight", "", "many"])
def test_a_rate_limit_that_is_no_rate_is_refused_at_start_saying_what_to_write(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPORTS_PER_REPORTER", value)
    with pytest.raises(ValidationError, match="reports_per_reporter") as refused:
        ApiSettings()
    assert "is not a rate limit: write a count per period, e.g. '60/hour'" in str(refused.value)
    monkeypatch.setenv("REPORTS_PER_REPORTER", "100000/hour")
    assert ApiSettings().reports_per_reporter == "100000/hour"


@pytest.mark.parametrize("token", ["change-me", "CHANGE-ME", "short-but-not-default"])
def test_weak_admin_tokens_are_refused_at_start(token: str) -> None:
    with pytest.raises(ValidationError, match="ADMIN_TOKEN is too weak"):
        ApiSettings(admin_token=SecretStr(token))


def test_a_database_outage_is_503_with_a_message(settings: ApiSettings) -> None:
    down = settings.model_copy(
        update={"database_url": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    )
    client = TestClient(create_app(down))
    started = time.monotonic()

    ready = client.get("/readyz")
    elapsed = time.monotonic() - started
    writes = [
        client.post("/reporters", json={"name": "Ada"}),
        client.get("/items"),
        client.get(f"/items/{uuid.uuid4()}"),
    ]

    assert ready.status_code == 503 and elapsed < 2
    for response in writes:
        assert response.status_code == 503, response.text
        assert "database is unavailable" in response.json()["detail"]
        assert response.headers["Retry-After"]


def test_database_errors_never_carry_statement_parameters(database_url: str) -> None:
    engine = make_engine(database_url)
    secret = "contact-ada@example.org"
    with pytest.raises(DBAPIError) as failure, engine.connect() as connection:
        connection.execute(text("SELECT * FROM no_such_table WHERE x = :x"), {"x": secret})
    assert secret not in str(failure.value)
    plain = create_engine(database_url)  # what SQLAlchemy does by default, for contrast
    with pytest.raises(DBAPIError) as shown, plain.connect() as connection:
        connection.execute(text("SELECT * FROM no_such_table WHERE x = :x"), {"x": secret})
    assert secret in str(shown.value)


def test_more_concurrent_requests_than_connections_all_succeed(settings: ApiSettings) -> None:
    """64 connections once deadlocked the listing: every worker thread waited for a database
    connection held by a finished request waiting for a thread to serialise its response.
    Here: 2 connections, 4 threads, 40 requests at once."""
    small = settings.model_copy(
        update={
            "database_pool_size": 2,
            "database_pool_overflow": 0,
            "database_pool_timeout_s": 3,
        }
    )
    app = create_app(small)

    async def burst() -> list[int]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = 4
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
            answers = await asyncio.gather(*(client.get("/items") for _ in range(40)))
        return [answer.status_code for answer in answers]

    assert anyio.run(burst) == [200] * 40
