import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from backend.api.app.main import create_app
from backend.api.app.settings import ApiSettings
from backend.api.tests.helpers import ADMIN, Headers, item_body
from backend.common.jobs import ENRICH_ITEMS

NewReporter = Callable[..., tuple[uuid.UUID, Headers]]
NewItem = Callable[..., dict[str, Any]]


def queued_tasks(settings: ApiSettings) -> list[str]:
    """Names of the tasks waiting in the embedded (file-system) broker."""
    names = []
    for message in sorted((settings.broker_dir / "queue").iterdir()):
        names.append(json.loads(message.read_text())["headers"]["task"])
    return names


def test_create_item_returns_the_private_view_and_queues_enrichment(
    client: TestClient, settings: ApiSettings, new_reporter: NewReporter
) -> None:
    reporter_id, headers = new_reporter()

    response = client.post("/items", json=item_body(), headers=headers)

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["kind"] == "lost"
    assert body["contact"] == "ada@example.org"
    assert body["reporter_id"] == str(reporter_id)
    assert body["status"] == "open"
    assert body["enrichment_state"] == "pending"
    assert queued_tasks(settings) == [ENRICH_ITEMS]


def test_create_item_needs_a_token(client: TestClient) -> None:
    assert client.post("/items", json=item_body()).status_code == 401


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "stolen"}, "kind"),
        ({"title": ""}, "title"),
        ({"latitude": 123.0}, "latitude"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_bad_fields_are_422_naming_the_field(
    client: TestClient, new_reporter: NewReporter, overrides: dict[str, Any], field: str
) -> None:
    _, headers = new_reporter()

    response = client.post("/items", json=item_body(**overrides), headers=headers)

    assert response.status_code == 422
    assert field in {error["loc"][-1] for error in response.json()["detail"]}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"longitude": None}, "latitude and longitude go together"),
        ({"occurred_at": (datetime.now(UTC) + timedelta(days=2)).isoformat()}, "in the future"),
    ],
)
def test_inconsistent_items_are_422_with_the_reason(
    client: TestClient, new_reporter: NewReporter, overrides: dict[str, Any], message: str
) -> None:
    _, headers = new_reporter()

    response = client.post("/items", json=item_body(**overrides), headers=headers)

    assert response.status_code == 422
    assert message in response.text


def test_malformed_json_is_422(client: TestClient, new_reporter: NewReporter) -> None:
    _, headers = new_reporter()
    response = client.post(
        "/items", content=b"{not json", headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert "json" in response.text.lower()


def test_others_see_no_contact_details(
    client: TestClient, new_reporter: NewReporter, new_item: NewItem
) -> None:
    _, owner = new_reporter()
    _, stranger = new_reporter("Bob", "bob@example.org")
    item = new_item(owner, contact="+31 6 1234 5678")

    as_owner = client.get(f"/items/{item['id']}", headers=owner).json()
    as_stranger = client.get(f"/items/{item['id']}", headers=stranger)
    anonymous = client.get(f"/items/{item['id']}")
    listing = client.get("/items", headers=owner)

    assert as_owner["contact"] == "+31 6 1234 5678"
    for response in (as_stranger, anonymous, listing):
        assert response.status_code == 200
        assert "+31 6 1234 5678" not in response.text
        assert '"contact"' not in response.text


def test_unknown_item_is_404(client: TestClient) -> None:
    response = client.get(f"/items/{uuid.uuid4()}")
    assert response.status_code == 404
    assert "not found" in response.json()["detail"]
    assert client.get("/items/not-a-uuid").status_code == 422


def test_owner_updates_and_rematches(
    client: TestClient, settings: ApiSettings, new_reporter: NewReporter, new_item: NewItem
) -> None:
    _, owner = new_reporter()
    item = new_item(owner)

    response = client.patch(
        f"/items/{item['id']}", json={"description": "Brown wallet"}, headers=owner
    )

    assert response.status_code == 200, response.text
    assert response.json()["description"] == "Brown wallet"
    assert response.json()["enrichment_state"] == "pending"
    assert queued_tasks(settings) == [ENRICH_ITEMS, ENRICH_ITEMS]
    contact_only = client.patch(f"/items/{item['id']}", json={"contact": "x@y.org"}, headers=owner)
    assert contact_only.status_code == 200
    assert len(queued_tasks(settings)) == 2


def test_only_the_owner_may_update(
    client: TestClient, new_reporter: NewReporter, new_item: NewItem
) -> None:
    _, owner = new_reporter()
    _, other = new_reporter("Bob")
    item = new_item(owner)

    assert (
        client.patch(f"/items/{item['id']}", json={"title": "x"}, headers=other).status_code == 403
    )
    assert client.patch(f"/items/{item['id']}", json={"title": "x"}).status_code == 401
    assert (
        client.patch(f"/items/{uuid.uuid4()}", json={"title": "x"}, headers=owner).status_code
        == 404
    )
    bad = client.patch(f"/items/{item['id']}", json={"latitude": 10.0}, headers=owner)
    assert bad.status_code == 422
    null_title = client.patch(f"/items/{item['id']}", json={"title": None}, headers=owner)
    assert null_title.status_code == 422
    assert client.get(f"/items/{item['id']}").json()["title"] == item["title"]


def test_soft_delete_and_admin_restore(
    client: TestClient, new_reporter: NewReporter, new_item: NewItem
) -> None:
    _, owner = new_reporter()
    _, other = new_reporter("Bob")
    item = new_item(owner)
    path = f"/items/{item['id']}"

    assert client.delete(path, headers=other).status_code == 403
    assert client.delete(path, headers=owner).status_code == 204
    assert client.get(path, headers=owner).status_code == 404
    assert client.delete(path, headers=owner).status_code == 404
    assert client.get("/items").json()["total"] == 0
    assert client.get("/items?deleted=true", headers=owner).status_code == 403

    seen_by_admin = client.get(path, headers=ADMIN)
    assert seen_by_admin.status_code == 200
    assert seen_by_admin.json()["deleted_at"] is not None
    assert client.get("/items?deleted=true", headers=ADMIN).json()["total"] == 1

    assert client.post(f"{path}/restore", headers=owner).status_code == 403
    restored = client.post(f"{path}/restore", headers=ADMIN)
    assert restored.status_code == 200
    assert restored.json()["deleted_at"] is None
    assert client.get(path).status_code == 200
    assert client.post(f"{path}/restore", headers=ADMIN).status_code == 409


def test_broker_down_still_stores_the_item_as_pending(settings: ApiSettings) -> None:
    down = settings.model_copy(update={"broker_url": "redis://127.0.0.1:1/0"})
    client = TestClient(create_app(down))
    token = client.post("/reporters", json={"name": "Ada"}).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}

    response = client.post("/items", json=item_body(), headers=headers)

    assert response.status_code == 201
    stored = client.get(f"/items/{response.json()['id']}", headers=headers).json()
    assert stored["enrichment_state"] == "pending"


class TestListing:
    @pytest.fixture()
    def catalogue(self, new_reporter: NewReporter, new_item: NewItem) -> dict[str, str]:
        _, owner = new_reporter()
        now = datetime.now(UTC)
        made = {
            "wallet_centraal": new_item(owner),
            "phone_dam": new_item(
                owner,
                kind="found",
                title="Found iPhone",
                description="Black phone with cracked screen",
                category="phone",
                brand="Apple",
                latitude=52.3731,
                longitude=4.8926,
                occurred_at=(now - timedelta(days=3)).isoformat(),
            ),
            "keys_utrecht": new_item(
                owner,
                kind="found",
                title="Bunch of keys",
                description="Three keys on a blue ring",
                category="keys",
                colour="blue",
                latitude=52.0894,
                longitude=5.1100,
                occurred_at=(now - timedelta(days=20)).isoformat(),
            ),
        }
        return {name: item["id"] for name, item in made.items()}

    def ids(self, client: TestClient, query: str) -> list[str]:
        response = client.get(f"/items?{query}")
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    def test_filters(self, client: TestClient, catalogue: dict[str, str]) -> None:
        assert set(self.ids(client, "kind=found")) == {
            catalogue["phone_dam"],
            catalogue["keys_utrecht"],
        }
        assert self.ids(client, "category=PHONE") == [catalogue["phone_dam"]]
        assert self.ids(client, "q=found%20IPHONE") == [catalogue["phone_dam"]]
        # The description is not searched: its details are what proves a claim.
        assert self.ids(client, "q=cracked") == []
        assert self.ids(client, "q=nothing-like-this") == []

    def test_distance_filter_and_order(self, client: TestClient, catalogue: dict[str, str]) -> None:
        # Dam square: the phone is ~0.2 km away, the station ~0.8 km, Utrecht ~35 km.
        near = client.get("/items?near=52.3730,4.8925&radius_km=2").json()
        assert [item["id"] for item in near["items"]] == [
            catalogue["phone_dam"],
            catalogue["wallet_centraal"],
        ]
        assert near["items"][0]["distance_km"] < near["items"][1]["distance_km"] < 2
        wide = self.ids(client, "near=52.3730,4.8925&radius_km=50")
        assert wide[-1] == catalogue["keys_utrecht"]

    def test_date_range(self, client: TestClient, catalogue: dict[str, str]) -> None:
        start = (datetime.now(UTC) - timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
        end = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert self.ids(client, f"occurred_from={start}&occurred_to={end}") == [
            catalogue["phone_dam"]
        ]
        assert set(self.ids(client, f"occurred_to={end}")) == {
            catalogue["phone_dam"],
            catalogue["keys_utrecht"],
        }
        # A range that ends before it starts holds nothing.
        assert self.ids(client, f"occurred_from={end}&occurred_to={start}") == []

    def test_pagination(self, client: TestClient, catalogue: dict[str, str]) -> None:
        first = client.get("/items?page_size=2&page=1").json()
        second = client.get("/items?page_size=2&page=2").json()

        assert first["total"] == second["total"] == 3
        assert len(first["items"]) == 2 and len(second["items"]) == 1
        seen = {i["id"] for i in first["items"]} | {i["id"] for i in second["items"]}
        assert seen == set(catalogue.values())
        # Newest first.
        assert first["items"][0]["id"] == catalogue["wallet_centraal"]

    def test_page_size_limit(self, client: TestClient, catalogue: dict[str, str]) -> None:
        # This deployment serves at most 50 (MAX_PAGE_SIZE); the page says what it served.
        assert client.get("/items?page_size=51").json()["page_size"] == 50
        assert client.get("/items?page_size=101").status_code == 422  # beyond the document
        assert client.get("/items?page_size=0").status_code == 422
        assert client.get("/items?near=52.3").status_code == 422
        assert client.get("/items?near=91,4.9").status_code == 422


# -- search keeps the public view's rounding (attack: find a report by its exact place/time) -----

# Two reports the public cannot tell apart: the same public place (0.01 degree) and day, their
# exact places 600 m and their times hours apart.
TWIN_PLACES = [(52.37912, 4.90031), (52.38401, 4.89612)]
TWIN_DAY = datetime(2026, 11, 20, tzinfo=UTC)
TWIN_TIMES = [TWIN_DAY + timedelta(hours=8, minutes=13), TWIN_DAY + timedelta(hours=19, minutes=2)]


@pytest.fixture()
def twins(new_reporter: NewReporter, new_item: NewItem) -> list[str]:
    _, owner = new_reporter()
    return [
        new_item(
            owner, title="Black wallet", latitude=lat, longitude=lon, occurred_at=when.isoformat()
        )["id"]
        for (lat, lon), when in zip(TWIN_PLACES, TWIN_TIMES, strict=True)
    ]


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    place=st.sampled_from([*TWIN_PLACES, (52.38, 4.90), (52.3799, 4.9011)]),
    radius_km=st.sampled_from([0.001, 0.01, 0.1, 0.3, 0.7, 2.0]),
    bounds=st.sampled_from([None, *TWIN_TIMES, TWIN_DAY, TWIN_DAY + timedelta(hours=12)]),
)
def test_no_search_tells_apart_what_the_public_view_does_not(
    client: TestClient,
    twins: list[str],
    place: tuple[float, float],
    radius_km: float,
    bounds: datetime | None,
) -> None:
    query: dict[str, Any] = {"near": f"{place[0]},{place[1]}", "radius_km": radius_km}
    if bounds is not None:  # a time window down to the second, around one twin's time
        query |= {"occurred_from": bounds.isoformat(), "occurred_to": bounds.isoformat()}

    response = client.get("/items", params=query)

    assert response.status_code == 200
    found = [item["id"] for item in response.json()["items"]]
    assert set(found) in (set(), set(twins))  # both or neither
    if found:  # and in an order that says nothing of the exact places or times
        assert found == sorted(twins)
        distances = {item["distance_km"] for item in response.json()["items"]}
        assert len(distances) == 1


def test_search_words_are_taken_literally(
    client: TestClient, new_reporter: NewReporter, new_item: NewItem
) -> None:
    _, owner = new_reporter()
    new_item(owner, title="Black wallet")
    percent = new_item(owner, title="Bag with a 50% discount tag")["id"]

    assert [i["id"] for i in client.get("/items", params={"q": "%"}).json()["items"]] == [percent]
    assert client.get("/items", params={"q": "_"}).json()["items"] == []
    assert client.get("/items", params={"q": "w_llet"}).json()["items"] == []
