"""A lost-property desk's day over HTTP: staff acting for their office, custody (receive, move,
hand over, dispose), holding periods and the expiry list, the append-only trail, the review
queue and the statistics, and what other offices and the public cannot do with any of it."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from backend.api.app.services.desk import add_months
from backend.api.tests.helpers import ADMIN, Headers, item_body, png_bytes
from backend.api.tests.test_matches import suggest
from backend.common.models import Item, ItemEvent, Match, Notification
from backend.common.notices import SHIPPED

NewReporter = Callable[..., tuple[uuid.UUID, Headers]]


class Desk:
    """An office with a manager (the office's own account) and a clerk."""

    def __init__(self, client: TestClient, name: str) -> None:
        self.client = client
        office = client.post(
            "/offices", json={"name": name, "email": "desk@example.org"}, headers=ADMIN
        )
        assert office.status_code == 201, office.text
        self.id = office.json()["id"]
        self.manager: Headers = {"Authorization": f"Bearer {office.json()['token']}"}
        clerk = client.post(
            "/offices/me/staff",
            json={"name": "Clerk", "email": "clerk@example.org", "staff_role": "clerk"},
            headers=self.manager,
        )
        assert clerk.status_code == 201, clerk.text
        self.clerk_id = clerk.json()["id"]
        self.clerk: Headers = {"Authorization": f"Bearer {clerk.json()['token']}"}

    def register(self, **fields: Any) -> dict[str, Any]:
        body = item_body(**{"kind": "found", "title": "Black wallet found on a bench", **fields})
        response = self.client.post("/items", json=body, headers=self.clerk)
        assert response.status_code == 201, response.text
        item: dict[str, Any] = response.json()
        return item

    def receive(self, item_id: str, location: str = "A-1", **fields: Any) -> Any:
        return self.client.post(
            f"/items/{item_id}/custody", json={"location": location, **fields}, headers=self.clerk
        )


@pytest.fixture()
def desk(client: TestClient) -> Desk:
    return Desk(client, "Central Station lost property")


def _ago(**delta: float) -> str:
    return (datetime.now(UTC) - timedelta(**delta)).isoformat()


def test_staff_act_for_their_office_and_only_its_manager_adds_them(
    client: TestClient, desk: Desk, new_reporter: NewReporter
) -> None:
    item = desk.register()
    assert item["reporter_id"] == desk.id  # the office's report, registered by its clerk
    mine = client.get("/reporters/me/items", headers=desk.manager).json()
    assert [row["id"] for row in mine["items"]] == [item["id"]]
    me = client.get("/reporters/me", headers=desk.clerk).json()
    assert (me["role"], me["office_id"], me["staff_role"]) == ("staff", desk.id, "clerk")
    staff = client.get("/offices/me/staff", headers=desk.clerk).json()
    assert [member["id"] for member in staff] == [desk.clerk_id]

    manager = client.post(
        "/offices/me/staff", json={"name": "Mia", "staff_role": "manager"}, headers=desk.manager
    ).json()
    as_manager = {"Authorization": f"Bearer {manager['token']}"}
    added = client.post("/offices/me/staff", json={"name": "Tom"}, headers=as_manager)
    assert added.status_code == 201 and added.json()["staff_role"] == "clerk"

    refused = client.post("/offices/me/staff", json={"name": "Eve"}, headers=desk.clerk)
    assert refused.status_code == 403 and "manager" in refused.json()["detail"]
    _, person = new_reporter()
    assert client.post("/offices/me/staff", json={"name": "Eve"}, headers=person).status_code == 403
    assert client.get("/offices/me/staff", headers=person).status_code == 403


def test_an_item_is_received_moved_and_handed_over_with_each_step_on_its_trail(
    client: TestClient, desk: Desk
) -> None:
    item = desk.register()
    received = desk.receive(item["id"], "Shelf A-3", value_eur=80)
    assert received.status_code == 201, received.text
    custody = received.json()
    assert custody["state"] == "held" and custody["category"] == "wallet"
    today = datetime.now(UTC).date()
    assert custody["keep_until"] == add_months(today, 3).isoformat()
    assert desk.receive(item["id"]).status_code == 409  # once

    moved = client.post(
        f"/items/{item['id']}/custody/move", json={"location": "Bin 7"}, headers=desk.clerk
    )
    assert moved.json()["location"] == "Bin 7"

    no_id_check = client.post(
        f"/items/{item['id']}/custody/hand-over", json={"method": "pickup"}, headers=desk.clerk
    )
    assert no_id_check.status_code == 422 and "id_checked" in no_id_check.text
    handed = client.post(
        f"/items/{item['id']}/custody/hand-over",
        json={"method": "pickup", "id_checked": "passport, number ending 4711"},
        headers=desk.clerk,
    )
    assert handed.status_code == 200 and handed.json()["state"] == "handed_over"
    assert client.get(f"/items/{item['id']}", headers=desk.clerk).json()["status"] == "returned"
    again = client.post(
        f"/items/{item['id']}/custody/move", json={"location": "A-1"}, headers=desk.clerk
    )
    assert again.status_code == 409

    assert client.get(f"/items/{item['id']}/trail", headers=desk.clerk).status_code == 403
    trail = client.get(f"/items/{item['id']}/trail", headers=desk.manager).json()
    assert [(step["action"], step["actor_id"]) for step in trail] == [
        ("registered", desk.clerk_id),
        ("received", desk.clerk_id),
        ("moved", desk.clerk_id),
        ("handed_over", desk.clerk_id),
    ]
    assert trail[2]["details"] == {"previous": "Shelf A-3", "location": "Bin 7"}
    assert {step["actor_name"] for step in trail} == {"Clerk"}
    assert trail[3]["details"]["id_checked"] == "passport, number ending 4711"


def test_shipping_records_the_address_and_the_tracking_number(
    client: TestClient, desk: Desk
) -> None:
    item = desk.register()
    desk.receive(item["id"])
    url = f"/items/{item['id']}/custody/hand-over"
    half = client.post(url, json={"method": "shipping", "address": "Dam 1"}, headers=desk.clerk)
    assert half.status_code == 422 and "tracking number" in half.text
    shipped = client.post(
        url,
        json={"method": "shipping", "address": "Dam 1, Amsterdam", "tracking_number": "3SABC1"},
        headers=desk.clerk,
    )
    assert shipped.status_code == 200, shipped.text


def test_the_audit_trail_cannot_be_changed_or_removed(
    app: FastAPI, client: TestClient, desk: Desk
) -> None:
    item = desk.register()
    desk.receive(item["id"])
    with app.state.sessions() as session:
        step = session.scalars(select(ItemEvent).where(ItemEvent.action == "received")).one()
        for statement in (
            update(ItemEvent).where(ItemEvent.id == step.id).values(details={"location": "X"}),
            delete(ItemEvent).where(ItemEvent.id == step.id),
        ):
            with pytest.raises(DBAPIError, match="cannot be changed or removed"):
                session.execute(statement)
            session.rollback()
        assert session.get(ItemEvent, step.id).details["location"] == "A-1"


def test_holding_periods_the_expiry_list_and_disposal(client: TestClient, desk: Desk) -> None:
    old = desk.register()
    valuable = desk.register(title="Laptop in a grey sleeve", category="laptop")
    recent = desk.register()
    four_months_ago = _ago(days=125)
    assert desk.receive(old["id"], received_at=four_months_ago).status_code == 201
    assert (
        desk.receive(valuable["id"], value_eur=900, received_at=four_months_ago).json()[
            "keep_until"
        ]
        == add_months(datetime.fromisoformat(four_months_ago).date(), 12).isoformat()
    )
    desk.receive(recent["id"])

    expired = client.get("/offices/me/expired", headers=desk.clerk).json()
    assert [row["item_id"] for row in expired["items"]] == [old["id"]]
    assert expired["items"][0]["title"] == old["title"] and expired["total"] == 1
    in_a_year = (date.today() + timedelta(days=400)).isoformat()
    later = client.get("/offices/me/expired", params={"on": in_a_year}, headers=desk.clerk).json()
    assert later["total"] == 3  # every period has ended by then

    early = client.post(
        f"/items/{recent['id']}/custody/disposal",
        json={"destination": "charity"},
        headers=desk.clerk,
    )
    assert early.status_code == 409 and "must be kept until" in early.json()["detail"]
    disposed = client.post(
        f"/items/{old['id']}/custody/disposal", json={"destination": "charity"}, headers=desk.clerk
    )
    assert disposed.status_code == 200 and disposed.json()["state"] == "disposed"
    assert client.get(f"/items/{old['id']}", headers=desk.clerk).json()["status"] == "closed"
    assert client.get("/offices/me/expired", headers=desk.clerk).json()["total"] == 0


def test_an_office_sets_its_own_period_per_category(client: TestClient, desk: Desk) -> None:
    assert (
        client.put(
            "/offices/me/holding-periods/umbrellas", json={"months": 1}, headers=desk.clerk
        ).status_code
        == 403
    )
    own = client.put(
        "/offices/me/holding-periods/brollies", json={"months": 1}, headers=desk.manager
    )
    assert own.json() == {"category": "umbrella", "months": 1}  # the taxonomy's name for it
    unknown = client.put(
        "/offices/me/holding-periods/zeppelin", json={"months": 1}, headers=desk.manager
    )
    assert unknown.status_code == 422 and "zeppelin" in unknown.text
    periods = client.get("/offices/me/holding-periods", headers=desk.clerk).json()
    assert periods["default_months"] == 3 and periods["categories"] == [own.json()]

    umbrella = desk.register(title="Green umbrella", category="umbrella")
    received = desk.receive(umbrella["id"], received_at=_ago(days=40)).json()
    assert (
        received["keep_until"]
        == add_months(datetime.fromisoformat(received["held_since"]).date(), 1).isoformat()
    )
    assert client.get("/offices/me/expired", headers=desk.clerk).json()["total"] == 1

    gone = client.delete("/offices/me/holding-periods/umbrella", headers=desk.manager)
    assert gone.status_code == 204
    assert client.get("/offices/me/holding-periods", headers=desk.clerk).json()["categories"] == []


def test_identity_documents_and_payment_cards_go_only_where_the_law_sends_them(
    client: TestClient, desk: Desk
) -> None:
    passport = desk.register(title="Dutch passport", category="paspoort")
    custody = desk.receive(passport["id"], received_at=_ago(days=120)).json()
    assert custody["sensitive"] is True and custody["category"] == "passport"
    url = f"/items/{passport['id']}/custody/disposal"
    for destination in ("charity", "auction"):
        refused = client.post(url, json={"destination": destination}, headers=desk.clerk)
        assert refused.status_code == 409 and "issuing_authority" in refused.json()["detail"]
    sent = client.post(url, json={"destination": "issuing_authority"}, headers=desk.clerk)
    assert sent.status_code == 200


def test_other_offices_people_and_lost_reports_are_refused(
    client: TestClient, desk: Desk, new_reporter: NewReporter, new_item: Callable[..., Any]
) -> None:
    item = desk.register()
    desk.receive(item["id"])
    other = Desk(client, "Airport lost property")
    _, person = new_reporter()
    for who in (other.clerk, other.manager, person):
        assert client.get(f"/items/{item['id']}/custody", headers=who).status_code == 403
        moved = client.post(
            f"/items/{item['id']}/custody/move", json={"location": "X"}, headers=who
        )
        assert moved.status_code == 403
        assert client.get(f"/items/{item['id']}/trail", headers=who).status_code == 403
    assert client.get("/offices/me/expired", headers=person).status_code == 403
    assert client.get("/offices/me/statistics", headers=person).status_code == 403
    assert other.receive(item["id"]).status_code == 403

    lost = client.post("/items", json=item_body(kind="lost"), headers=desk.clerk).json()
    assert desk.receive(lost["id"]).status_code == 409
    assert desk.receive(str(uuid.uuid4())).status_code == 404
    not_received = desk.register()
    assert client.get(f"/items/{not_received['id']}/custody", headers=desk.clerk).status_code == 404
    future = desk.receive(
        not_received["id"], received_at=(datetime.now(UTC) + timedelta(days=2)).isoformat()
    )
    assert future.status_code == 422 and "received_at is in the future" in future.text


def test_the_review_queue_lists_the_offices_suggestions_best_first(
    app: FastAPI,
    client: TestClient,
    desk: Desk,
    new_reporter: NewReporter,
    new_item: Callable[..., Any],
) -> None:
    found = desk.register()
    _, owner = new_reporter("Ada", "ada@example.org")
    _, someone = new_reporter("Cy", "cy@example.org")
    lost = new_item(owner)
    unrelated = new_item(someone)
    weak = suggest(app, unrelated["id"], found["id"], score=0.41, text=0.5)
    strong = suggest(app, lost["id"], found["id"], score=0.88, text=0.9)
    queue = client.get("/offices/me/review", headers=desk.clerk).json()
    assert [row["id"] for row in queue["items"]] == [strong, weak] and queue["total"] == 2
    assert all(row["other_item"]["kind"] == "lost" for row in queue["items"])
    harbour = Desk(client, "Harbour lost property")
    assert client.get("/offices/me/review", headers=harbour.clerk).json()["total"] == 0

    rejected = client.post(f"/matches/{weak}/reject", headers=desk.clerk)
    assert rejected.status_code == 200
    assert [
        row["id"] for row in client.get("/offices/me/review", headers=desk.clerk).json()["items"]
    ] == [strong]
    trail = client.get(f"/items/{found['id']}/trail", headers=desk.manager).json()
    assert trail[-1]["action"] == "match_rejected" and trail[-1]["details"]["match_id"] == weak


def test_statistics_per_month_and_category_as_json_and_csv(client: TestClient, desk: Desk) -> None:
    now = datetime.now(UTC)
    this_month = now.strftime("%Y-%m")
    wallets = [desk.register() for _ in range(3)]
    umbrella = desk.register(title="Umbrella", category="umbrella")
    for item in wallets:
        desk.receive(item["id"], received_at=_ago(days=0.5))
    desk.receive(umbrella["id"], received_at=_ago(days=200))
    for item in wallets[:2]:
        client.post(
            f"/items/{item['id']}/custody/hand-over",
            json={"method": "pickup", "id_checked": "id card"},
            headers=desk.clerk,
        )
    client.post(
        f"/items/{umbrella['id']}/custody/disposal",
        json={"destination": "charity"},
        headers=desk.clerk,
    )

    rows = client.get("/offices/me/statistics", headers=desk.clerk).json()
    by_key = {(row["month"], row["category"]): row for row in rows}
    total = by_key[(this_month, None)]
    assert (total["received"], total["returned"], total["disposed"], total["held"]) == (3, 2, 0, 1)
    assert total["return_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert 0.4 <= total["median_days_to_return"] <= 0.6  # received half a day before
    assert by_key[(this_month, "wallet")]["received"] == 3
    umbrella_month = (now - timedelta(days=200)).strftime("%Y-%m")
    assert by_key[(umbrella_month, "umbrella")]["disposed"] == 1
    assert rows.index(total) < rows.index(by_key[(this_month, "wallet")])  # the total first

    one = client.get(
        "/offices/me/statistics",
        params={"since": this_month, "until": this_month},
        headers=desk.clerk,
    ).json()
    assert {row["month"] for row in one} == {this_month}
    bad = client.get("/offices/me/statistics", params={"since": "2026-13"}, headers=desk.clerk)
    assert bad.status_code == 422
    widest = {"since": "0000-01", "until": "9999-12"}
    everything = client.get("/offices/me/statistics", params=widest, headers=desk.clerk)
    assert everything.status_code == 200 and len(everything.json()) == len(rows)

    exported = client.get("/offices/me/statistics.csv", headers=desk.clerk)
    assert exported.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(table) == len(rows)
    assert {(row["month"], row["category"], row["received"]) for row in table} == {
        (row["month"], row["category"] or "(all)", str(row["received"])) for row in rows
    }


def test_months_are_added_the_way_a_calendar_does() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
    assert add_months(date(2026, 12, 1), 12) == date(2027, 12, 1)
    assert add_months(date(2027, 1, 15), -11) == date(2026, 2, 15)
    assert add_months(date(9999, 12, 31), 0) == date(9999, 12, 31)


def test_a_hand_over_through_an_agreed_match_returns_both_reports_and_tells_the_owner(
    app: FastAPI,
    client: TestClient,
    desk: Desk,
    new_reporter: NewReporter,
    new_item: Callable[..., Any],
) -> None:
    secret = "initials AV embossed inside, a Rabobank card"
    found = desk.register(private_details=secret)
    desk.receive(found["id"])
    _, owner = new_reporter("Ada", "ada@example.org")
    lost = new_item(owner, private_details=secret)
    match_id = suggest(app, lost["id"], found["id"], score=0.9, text=0.9)
    with app.state.sessions() as session:
        match = session.get_one(Match, uuid.UUID(match_id))
        match.confirm_as_owner()
        match.give_proof(f"{secret} and more", set())
        assert match.agreed
        session.commit()

    shipped = client.post(
        f"/items/{found['id']}/custody/hand-over",
        json={"method": "shipping", "address": "Dam 1, Amsterdam", "tracking_number": "3SABC1"},
        headers=desk.clerk,
    )
    assert shipped.status_code == 200, shipped.text
    assert client.get(f"/items/{lost['id']}", headers=owner).json()["status"] == "returned"
    with app.state.sessions() as session:
        notices = session.scalars(select(Notification).where(Notification.kind == SHIPPED)).all()
    assert [
        (str(n.reporter_id), n.payload["item_id"], n.payload["tracking_number"]) for n in notices
    ] == [(lost["reporter_id"], lost["id"], "3SABC1")]


def test_an_attacker_reading_everything_public_never_sees_an_identity_document(
    app: FastAPI, client: TestClient, new_reporter: NewReporter, new_item: Callable[..., Any]
) -> None:
    """Typed as one ("paspoort", "credit card"), or read as one by enrichment: not in search or
    listings by any filter, a 404 by id to everyone but its reporter, and a match's other side
    reads only what it is, not whose."""
    _, finder = new_reporter("Bob", "bob@example.org")
    typed = new_item(finder, kind="found", title="Paspoort van Jan de Vries", category="paspoort")
    card = new_item(finder, kind="found", title="Visa card J. de Vries", category="credit card")
    enriched = new_item(finder, kind="found", title="ID of Jan de Vries", category=None)
    ordinary = new_item(finder, kind="found", title="Black umbrella", category="umbrella")
    with app.state.sessions() as session:  # what enrichment stores for the third
        session.execute(
            update(Item)
            .where(Item.id == uuid.UUID(enriched["id"]))
            .values(canonical_category="id card", sensitive=True)
        )
        session.commit()
    hidden = {typed["id"], card["id"], enriched["id"]}

    _, attacker = new_reporter("Eve", "eve@example.org")
    for who in ({}, attacker):
        for params in (
            {},
            {"kind": "found"},
            {"q": "Vries"},
            {"category": "paspoort"},
            {"category": "passport"},
            {"near": "52.3791,4.9003", "radius_km": 50},
        ):
            listed = client.get("/items", params=params, headers=who)
            assert listed.status_code == 200, listed.text
            assert not hidden & {row["id"] for row in listed.json()["items"]}, params
        for item_id in hidden:
            assert client.get(f"/items/{item_id}", headers=who).status_code == 404
            assert client.get(f"/items/{item_id}/photo", headers=who).status_code == 404
    assert ordinary["id"] in {row["id"] for row in client.get("/items").json()["items"]}

    own = client.get(f"/items/{typed['id']}", headers=finder).json()
    assert own["sensitive"] is True and own["title"] == "Paspoort van Jan de Vries"
    assert client.get(f"/items/{card['id']}", headers=ADMIN).status_code == 200

    # Eve reports a lost passport and is suggested Bob's: she reads what it is, not whose.
    lost = new_item(attacker, title="Lost my passport", category="passport")
    suggest(app, lost["id"], typed["id"], score=0.8, text=0.8)
    [match] = client.get(f"/items/{lost['id']}/matches", headers=attacker).json()
    assert match["other_item"]["title"] == "Paspoort"
    assert "Vries" not in str(match)


def test_the_photo_s_colour_is_proposed_to_the_clerk_once_the_photo_was_read(
    app: FastAPI, client: TestClient, desk: Desk
) -> None:
    item = desk.register(colour=None)
    assert item["proposed_colour"] is None  # no photo yet
    uploaded = client.put(
        f"/items/{item['id']}/photo",
        files={"file": ("p.png", png_bytes(rgb=(200, 30, 40)), "image/png")},
        headers=desk.clerk,
    )
    assert uploaded.status_code == 200, uploaded.text
    assert client.get(f"/items/{item['id']}", headers=desk.clerk).json()["proposed_colour"] is None
    with app.state.sessions() as session:  # what enrichment stores from the vision service
        session.execute(
            update(Item)
            .where(Item.id == uuid.UUID(item["id"]))
            .values(image_features={"colour_name": "red"})
        )
        session.commit()
    assert client.get(f"/items/{item['id']}", headers=desk.clerk).json()["proposed_colour"] == "red"
    accepted = client.patch(f"/items/{item['id']}", json={"colour": "red"}, headers=desk.clerk)
    assert accepted.json()["colour"] == "red"
    trail = client.get(f"/items/{item['id']}/trail", headers=desk.manager).json()
    assert [(step["action"], step["details"].get("fields")) for step in trail] == [
        ("registered", None),
        ("updated", ["photo"]),
        ("updated", ["colour"]),
    ]
