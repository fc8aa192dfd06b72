import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backend.api.tests.helpers import ADMIN, Headers
from backend.common.models import Match

NewReporter = Callable[..., tuple[uuid.UUID, Headers]]
NewItem = Callable[..., dict[str, Any]]


class Pair:
    def __init__(
        self,
        match_id: str,
        lost: dict[str, Any],
        found: dict[str, Any],
        loser: Headers,
        finder: Headers,
    ):
        self.match_id, self.lost, self.found = match_id, lost, found
        self.loser, self.finder = loser, finder


@pytest.fixture()
def pair(app: FastAPI, new_reporter: NewReporter, new_item: NewItem) -> Pair:
    """A lost and a found item with a suggested match, as the worker would record it."""
    _, loser = new_reporter("Ada", "ada@example.org")
    _, finder = new_reporter("Bob", "bob@example.org")
    lost = new_item(loser, contact="ada@example.org")
    found = new_item(finder, kind="found", title="Found a black wallet", contact="+44 7700 900123")
    match_id = suggest(app, lost["id"], found["id"], score=0.87, text=0.9, distance=0.8, time=0.95)
    return Pair(match_id, lost, found, loser, finder)


def suggest(
    app: FastAPI, lost_id: str, found_id: str, *, score: float, text: float, **rest: float
) -> str:
    """A suggested match, as the worker records it; returns its id."""
    with app.state.sessions() as session:
        match = Match(
            lost_item_id=uuid.UUID(lost_id),
            found_item_id=uuid.UUID(found_id),
            score=score,
            text_score=text,
            image_score=None,
            attribute_score=1.0,
            distance_score=rest.get("distance", 1.0),
            time_score=rest.get("time", 1.0),
        )
        session.add(match)
        session.commit()
        return str(match.id)


def test_each_side_sees_the_match_with_components_but_no_contact(
    client: TestClient, pair: Pair
) -> None:
    as_loser = client.get(f"/items/{pair.lost['id']}/matches", headers=pair.loser)
    as_finder = client.get(f"/items/{pair.found['id']}/matches", headers=pair.finder)

    assert as_loser.status_code == as_finder.status_code == 200
    [mine] = as_loser.json()
    assert mine["id"] == pair.match_id
    assert mine["your_side"] == "lost"
    assert mine["status"] == "suggested"
    assert mine["components"] == {
        "text": 0.9,
        "image": None,
        "attributes": 1.0,
        "category": None,
        "details": None,
        "distance": 0.8,
        "time": 0.95,
    }
    assert mine["other_item"]["id"] == pair.found["id"]
    assert mine["other_contact"] is None
    assert "+44 7700 900123" not in as_loser.text
    assert as_finder.json()[0]["your_side"] == "found"


def test_strangers_cannot_see_or_decide(
    client: TestClient, pair: Pair, new_reporter: NewReporter
) -> None:
    _, stranger = new_reporter("Eve")

    assert client.get(f"/items/{pair.lost['id']}/matches", headers=stranger).status_code == 403
    assert client.post(f"/matches/{pair.match_id}/confirm", headers=stranger).status_code == 403
    assert client.post(f"/matches/{pair.match_id}/reject", headers=stranger).status_code == 403
    assert client.post(f"/matches/{pair.match_id}/confirm").status_code == 401
    assert client.post(f"/matches/{uuid.uuid4()}/confirm", headers=pair.loser).status_code == 404
    assert client.get(f"/items/{pair.lost['id']}/matches", headers=ADMIN).status_code == 200


def test_contacts_are_shared_only_after_both_confirm(client: TestClient, pair: Pair) -> None:
    first = client.post(f"/matches/{pair.match_id}/confirm", headers=pair.loser)
    assert first.status_code == 200
    assert first.json()["you_confirmed"] is True
    assert first.json()["other_confirmed"] is False
    assert first.json()["status"] == "suggested"
    assert first.json()["other_contact"] is None

    second = client.post(
        f"/matches/{pair.match_id}/confirm",
        headers=pair.finder,
        json={"proof": "It has a red stripe inside, behind the cards"},
    )
    assert second.status_code == 200, second.text
    assert second.json()["proof_verified"] is True
    assert second.json()["status"] == "confirmed"
    assert second.json()["other_contact"] == "ada@example.org"
    # With contacts shared, each side sees the other's whole report.
    assert second.json()["other_item"]["description"] == pair.lost["description"]

    [loser_view] = client.get(f"/items/{pair.lost['id']}/matches", headers=pair.loser).json()
    assert loser_view["other_contact"] == "+44 7700 900123"
    assert client.get(f"/items/{pair.lost['id']}").json()["status"] == "matched"
    assert client.get(f"/items/{pair.found['id']}").json()["status"] == "matched"
    # Still private to everyone else.
    assert "+44 7700 900123" not in client.get("/items").text
    assert client.post(f"/matches/{pair.match_id}/reject", headers=pair.loser).status_code == 409


def test_rejected_match_cannot_be_confirmed(client: TestClient, pair: Pair) -> None:
    rejected = client.post(f"/matches/{pair.match_id}/reject", headers=pair.finder)

    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"
    again = client.post(f"/matches/{pair.match_id}/confirm", headers=pair.loser)
    assert again.status_code == 409
    assert "rejected" in again.json()["detail"]


def test_matches_of_a_deleted_item_disappear(client: TestClient, pair: Pair) -> None:
    assert client.delete(f"/items/{pair.found['id']}", headers=pair.finder).status_code == 204

    assert client.get(f"/items/{pair.lost['id']}/matches", headers=pair.loser).json() == []
    assert client.post(f"/matches/{pair.match_id}/confirm", headers=pair.loser).status_code == 404


def test_the_finder_confirms_with_a_proof(client: TestClient, pair: Pair) -> None:
    bare = client.post(f"/matches/{pair.match_id}/confirm", headers=pair.finder)

    assert bare.status_code == 422
    assert bare.json()["detail"][0]["loc"] == ["body", "proof"]
    assert "only the item in hand" in bare.json()["detail"][0]["msg"]


def test_a_clone_of_a_public_report_gets_no_contact(
    app: FastAPI, client: TestClient, pair: Pair, new_reporter: NewReporter, new_item: NewItem
) -> None:
    """The clone attack: someone copies a public lost report, posts it as found, confirms
    first, and waits for the owner to confirm and hand over their contact."""
    public = client.get(f"/items/{pair.lost['id']}").json()
    # What the copy can know: nothing that identifies this very wallet.
    assert public["description"] is None and public["brand"] is None and public["photo"] is None
    assert public["latitude"] == round(pair.lost["latitude"], 2)
    assert public["occurred_at"].endswith("T00:00:00Z")
    _, attacker = new_reporter("Eve", "eve@example.org")
    clone = new_item(
        attacker,
        kind="found",
        title=public["title"],
        description="",
        category=public["category"],
        colour=public["colour"],
        brand=None,
        latitude=public["latitude"],
        longitude=public["longitude"],
        contact="eve@example.org",
    )
    match_id = suggest(app, pair.lost["id"], clone["id"], score=1.0, text=1.0)  # a top score

    # The attacker confirms first, "proving" with what the public view shows.
    guessed = client.post(
        f"/matches/{match_id}/confirm",
        headers=attacker,
        json={"proof": "A black leather wallet, exactly like the one in your report"},
    )
    owner = client.post(f"/matches/{match_id}/confirm", headers=pair.loser)

    assert guessed.status_code == owner.status_code == 200
    assert guessed.json()["proof_verified"] is False
    assert owner.json()["status"] == "suggested"
    assert owner.json()["other_contact"] is None
    assert "accepting the finder's proof" in owner.json()["awaiting"]
    assert owner.json()["finder_proof"].startswith("A black leather wallet")
    [attacker_view] = client.get(f"/items/{clone['id']}/matches", headers=attacker).json()
    assert attacker_view["other_contact"] is None
    assert "ada@example.org" not in str(attacker_view)
    assert attacker_view["other_item"]["description"] is None
    # Only the owner's own reading of the proof could share the contact; they reject instead.
    rejected = client.post(f"/matches/{match_id}/reject", headers=pair.loser)
    assert rejected.json()["status"] == "rejected"


def test_the_owner_may_accept_a_proof_the_check_cannot_verify(
    client: TestClient, pair: Pair
) -> None:
    proof = {"proof": "Three loyalty cards from a bakery and a cinema ticket"}
    assert (
        client.post(f"/matches/{pair.match_id}/confirm", headers=pair.finder, json=proof).json()[
            "proof_verified"
        ]
        is False
    )

    accepted = client.post(
        f"/matches/{pair.match_id}/confirm", headers=pair.loser, json={"accept_proof": True}
    )

    assert accepted.status_code == 200
    assert accepted.json()["status"] == "confirmed"
    assert accepted.json()["other_contact"] == "+44 7700 900123"
