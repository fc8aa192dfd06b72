"""Matches over HTTP: who sees what, each side's decisions, the two-sided claim check and the
attacks on it (docs/threat-model.md), messages once agreed."""

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import select

from backend.api.tests.helpers import ADMIN, Headers
from backend.common.models import Match, Notification
from backend.common.notices import AGREED, PROOF_GIVEN
from backend.common.taxonomy import taxonomy

NewReporter = Callable[..., tuple[uuid.UUID, Headers]]
NewItem = Callable[..., dict[str, Any]]

# The owner's control characteristics, and a finder's truthful answer (sharing two details).
OWNER_DETAILS = "Initials A.V. embossed inside the flap; a Rabobank card and a gym pass"
TRUE_PROOF = "The letters AV are embossed inside, and there is a Rabobank card in it"
FINDER_DETAILS = "Embossed initials AV, one bank card (Rabobank), a gym membership pass"


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
    lost = new_item(loser, contact="ada@example.org", private_details=OWNER_DETAILS)
    found = new_item(
        finder,
        kind="found",
        title="Found a black wallet",
        contact="+44 7700 900123",
        private_details=FINDER_DETAILS,
    )
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


def confirm(client: TestClient, match_id: str, who: Headers, proof: str | None = None) -> Any:
    body = {"proof": proof} if proof is not None else None
    return client.post(f"/matches/{match_id}/confirm", headers=who, json=body)


def view(client: TestClient, item_id: str, who: Headers, match_id: str | None = None) -> Any:
    """The match of the item as `who` sees it (the only one, or the one `match_id` names)."""
    matches = client.get(f"/items/{item_id}/matches", headers=who).json()
    [match] = [m for m in matches if match_id in (None, m["id"])]
    return match


def notices(app: FastAPI, match_id: str) -> list[tuple[str, str]]:
    with app.state.sessions() as session:
        rows = session.scalars(
            select(Notification).where(Notification.match_id == uuid.UUID(match_id))
        ).all()
        return sorted((row.kind, str(row.reporter_id)) for row in rows)


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
    assert FINDER_DETAILS not in as_loser.text
    [theirs] = as_finder.json()
    assert theirs["your_side"] == "found"
    # Before the finder's proof the owner's claim is not shown to the finder.
    assert theirs["owner_claim"] is None
    assert OWNER_DETAILS not in as_finder.text


def test_strangers_cannot_see_or_decide(
    client: TestClient, pair: Pair, new_reporter: NewReporter
) -> None:
    _, stranger = new_reporter("Eve")
    match = f"/matches/{pair.match_id}"

    assert client.get(f"/items/{pair.lost['id']}/matches", headers=stranger).status_code == 403
    for action in ("confirm", "reject", "accept-proof", "accept-claim", "messages"):
        assert client.post(f"{match}/{action}", headers=stranger).status_code in (403, 422)
    assert client.get(f"{match}/messages", headers=stranger).status_code == 403
    share = client.put(f"{match}/share-contact", headers=stranger, json={"share": True})
    assert share.status_code == 403
    assert client.post(f"{match}/confirm").status_code == 401
    assert client.post(f"/matches/{uuid.uuid4()}/confirm", headers=pair.loser).status_code == 404
    assert client.get(f"/items/{pair.lost['id']}/matches", headers=ADMIN).status_code == 200


def test_both_checks_pass_and_the_two_talk_through_the_platform(
    app: FastAPI, client: TestClient, pair: Pair
) -> None:
    first = confirm(client, pair.match_id, pair.loser)
    assert first.status_code == 200
    assert first.json()["you_confirmed"] is True
    assert first.json()["status"] == "suggested"
    assert first.json()["owner_claim"] == OWNER_DETAILS

    second = confirm(client, pair.match_id, pair.finder, TRUE_PROOF)
    assert second.status_code == 200, second.text
    body = second.json()
    assert body["status"] == "confirmed" and body["agreed"] is True
    # The finder sees the verdict on the owner's claim, never on their own proof.
    assert body["claim_verified"] is True
    assert body["proof_verified"] is None
    assert body["owner_claim"] == OWNER_DETAILS
    # Agreed, but no contact until its owner chooses to share it: messages instead.
    assert body["other_contact"] is None
    assert body["other_item"]["description"] == pair.lost["description"]
    owner_view = view(client, pair.lost["id"], pair.loser)
    assert owner_view["proof_verified"] is True and owner_view["claim_verified"] is None
    assert owner_view["other_contact"] is None

    sent = client.post(
        f"/matches/{pair.match_id}/messages",
        headers=pair.loser,
        json={"text": "Thank you! Could we meet at the station tomorrow at 10?"},
    )
    assert sent.status_code == 201, sent.text
    reply = client.post(
        f"/matches/{pair.match_id}/messages", headers=pair.finder, json={"text": "Yes, see you."}
    )
    assert reply.status_code == 201
    thread = client.get(f"/matches/{pair.match_id}/messages", headers=pair.finder).json()
    assert [(m["from_you"], m["text"][:5]) for m in thread] == [(False, "Thank"), (True, "Yes, ")]

    shared = client.put(
        f"/matches/{pair.match_id}/share-contact", headers=pair.finder, json={"share": True}
    )
    assert shared.json()["you_share_contact"] is True
    assert view(client, pair.lost["id"], pair.loser)["other_contact"] == "+44 7700 900123"
    assert view(client, pair.found["id"], pair.finder)["other_contact"] is None  # Ada did not
    assert client.get(f"/items/{pair.lost['id']}").json()["status"] == "matched"
    assert "+44 7700 900123" not in client.get("/items").text
    assert client.post(f"/matches/{pair.match_id}/reject", headers=pair.loser).status_code == 409

    kinds = [kind.split(":")[0] for kind, _ in notices(app, pair.match_id)]
    assert kinds.count(PROOF_GIVEN) == 1
    assert kinds.count(AGREED) == 2
    assert kinds.count("message") == 2


def test_messages_wait_for_the_agreement(client: TestClient, pair: Pair) -> None:
    early = client.post(
        f"/matches/{pair.match_id}/messages", headers=pair.finder, json={"text": "Call me"}
    )

    assert early.status_code == 409
    assert "once both sides confirmed" in early.json()["detail"]


def test_rejected_match_cannot_be_confirmed(client: TestClient, pair: Pair) -> None:
    rejected = client.post(f"/matches/{pair.match_id}/reject", headers=pair.finder)

    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"
    again = confirm(client, pair.match_id, pair.loser)
    assert again.status_code == 409
    assert "rejected" in again.json()["detail"]


def test_matches_of_a_deleted_item_disappear(client: TestClient, pair: Pair) -> None:
    assert client.delete(f"/items/{pair.found['id']}", headers=pair.finder).status_code == 204

    assert client.get(f"/items/{pair.lost['id']}/matches", headers=pair.loser).json() == []
    assert confirm(client, pair.match_id, pair.loser).status_code == 404


def test_the_finder_confirms_with_a_proof_and_the_owner_without(
    client: TestClient, pair: Pair
) -> None:
    bare = confirm(client, pair.match_id, pair.finder)
    owners_proof = confirm(client, pair.match_id, pair.loser, "It is mine, I promise you that")

    assert bare.status_code == owners_proof.status_code == 422
    assert bare.json()["detail"][0]["loc"] == ["body", "proof"]
    assert "only the item in hand" in bare.json()["detail"][0]["msg"]
    assert "private details" in owners_proof.json()["detail"][0]["msg"]


# -- attack 1: a copy of a public lost report --------------------------------------------------


def test_a_clone_of_a_public_report_gets_no_contact(
    app: FastAPI, client: TestClient, pair: Pair, new_reporter: NewReporter, new_item: NewItem
) -> None:
    """Copy a public lost report, post it as found, "prove" with what the public view shows
    (the place name included), and wait for the owner to confirm."""
    public = client.get(f"/items/{pair.lost['id']}").json()
    assert public["description"] is None and public["brand"] is None and public["photo"] is None
    assert "private_details" not in public and "identifier" not in public
    assert public["place_name"] == "Amsterdam Centraal"  # public: it can prove nothing
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
        place_name=public["place_name"],
        contact="eve@example.org",
    )
    match_id = suggest(app, pair.lost["id"], clone["id"], score=1.0, text=1.0)  # a top score

    guessed = confirm(
        client, match_id, attacker, "Found it at Amsterdam Centraal: a black leather wallet"
    )
    owner = confirm(client, match_id, pair.loser)

    assert guessed.status_code == owner.status_code == 200
    assert guessed.json()["proof_verified"] is None  # no oracle for the attacker
    assert owner.json()["proof_verified"] is False
    assert owner.json()["status"] == "suggested"
    assert owner.json()["other_contact"] is None
    assert "your decision on the finder's proof" in owner.json()["awaiting"]
    attacker_view = view(client, clone["id"], attacker)
    assert attacker_view["other_contact"] is None
    assert "ada@example.org" not in str(attacker_view)
    assert attacker_view["other_item"]["description"] is None
    message = client.post(f"/matches/{match_id}/messages", headers=attacker, json={"text": "hi"})
    assert message.status_code == 409
    assert client.post(f"/matches/{match_id}/reject", headers=pair.loser).status_code == 200


# The owner's private details repeat what the public reads (the title's words, the place, a
# synonym of the category) beside what only they know.
PUBLICISH_DETAILS = "A black leather purse from Amsterdam Centraal; initials AV embossed inside"


@hypothesis_settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_no_proof_built_from_what_the_public_reads_verifies(
    app: FastAPI,
    client: TestClient,
    new_reporter: NewReporter,
    new_item: NewItem,
    data: st.DataObject,
) -> None:
    """Any proof made of words of the public views, the listing and its search results (and
    the taxonomy's synonyms of them) never verifies, whatever the owner wrote privately."""
    people = _people(client, new_reporter, new_item)
    guess = data.draw(st.lists(st.sampled_from(people["words"]), min_size=1, max_size=15))
    proof = " ".join(guess).ljust(10, ".")
    clone = new_item(
        people["attacker"], kind="found", title=" ".join(guess)[:200], contact="eve@example.org"
    )
    match_id = suggest(app, people["lost"]["id"], clone["id"], score=1.0, text=1.0)

    confirm(client, match_id, people["attacker"], proof)

    judged = view(client, people["lost"]["id"], people["owner"], match_id)
    assert judged["proof_verified"] is False


_cast: dict[int, dict[str, Any]] = {}


def _people(client: TestClient, new_reporter: NewReporter, new_item: NewItem) -> dict[str, Any]:
    """One owner and one attacker per test run (hypothesis calls the test many times)."""
    key = id(client)
    if key not in _cast:
        _, owner = new_reporter("Ada", "ada@example.org")
        _, attacker = new_reporter("Eve", "eve@example.org")
        lost = new_item(owner, private_details=PUBLICISH_DETAILS)
        words = sorted(_public_words(client, lost["id"]))
        _cast.clear()
        _cast[key] = {"owner": owner, "attacker": attacker, "lost": lost, "words": words}
    return _cast[key]


def _public_words(client: TestClient, lost_id: str) -> set[str]:
    """Every word anyone can read: the report's public view, listings and searches."""
    pages = [
        client.get(f"/items/{lost_id}").json(),
        client.get("/items").json(),
        client.get("/items", params={"q": "wallet"}).json(),
        client.get("/items", params={"category": "wallet", "kind": "lost"}).json(),
    ]
    text = " ".join(_strings(pages))
    vocabulary = taxonomy()
    return {word for phrase in [text, *vocabulary.synonyms_in(text)] for word in phrase.split()}


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


# -- attack 2: probing and stuffing the proof ---------------------------------------------------


def test_a_proof_is_one_answer_judged_once_without_an_oracle(
    client: TestClient, pair: Pair
) -> None:
    first = confirm(client, pair.match_id, pair.finder, "A passport photo is inside the wallet")
    second = confirm(client, pair.match_id, pair.finder, "A Rabobank card is inside the wallet")

    assert first.status_code == 200
    assert first.json()["proof_verified"] is None
    assert second.status_code == 409
    assert "judged once" in second.json()["detail"]
    # Confirming again with the same answer (or none) changes nothing.
    assert confirm(client, pair.match_id, pair.finder).status_code == 200
    # What the finder reads never depends on the verdict on their own proof.
    finder = view(client, pair.found["id"], pair.finder)
    assert finder["proof_verified"] is None
    assert "proof" not in (finder["awaiting"] or "")
    assert view(client, pair.lost["id"], pair.loser)["proof_verified"] is False


def test_a_proof_listing_many_guesses_is_judged_on_what_it_gets_wrong(
    client: TestClient, pair: Pair
) -> None:
    stuffed = (
        "keys, wallet, charger, phone, stickers, cards, coins, receipts, tickets, passport, "
        "photos, condoms, lipstick, pens"
    )

    confirm(client, pair.match_id, pair.finder, stuffed)
    confirm(client, pair.match_id, pair.loser)

    owner = view(client, pair.lost["id"], pair.loser)
    assert owner["proof_verified"] is False
    assert owner["agreed"] is False


def test_a_proof_naming_what_the_owner_says_is_not_there_fails(
    app: FastAPI, client: TestClient, new_reporter: NewReporter, new_item: NewItem
) -> None:
    """A copier guesses what phones have. The owner wrote "no case": before, "case" counted as
    right, and one right word carries two wrong ones."""
    _, owner = new_reporter("Ada", "ada@example.org")
    _, attacker = new_reporter("Eve", "eve@example.org")
    lost = new_item(
        owner,
        title="Black iPhone 13",
        description="Lost on the tram",
        category="phone",
        brand="Apple",
        contact="ada@example.org",
        private_details="No case on it; a crack across the top left corner of the screen",
    )
    public = client.get(f"/items/{lost['id']}").json()
    copy = new_item(
        attacker,
        kind="found",
        **{field: public[field] for field in ("title", "category", "brand")},
        contact="eve@example.org",
    )
    match_id = suggest(app, lost["id"], copy["id"], score=0.95, text=0.95)

    confirm(client, match_id, attacker, "It is in a case with a card slot")

    assert view(client, lost["id"], owner, match_id)["proof_verified"] is False


def test_a_claim_a_copier_read_proves_nothing_in_the_next_copy(
    app: FastAPI, client: TestClient, pair: Pair, new_reporter: NewReporter, new_item: NewItem
) -> None:
    """The first copy answers anything and then reads the owner's claim; a second copy answers
    with it. Shown once to someone unproven, the claim no longer proves anything."""
    _, attacker = new_reporter("Eve", "eve@example.org")
    first = new_item(attacker, kind="found", title="Black leather wallet", contact="e@example.org")
    second = new_item(attacker, kind="found", title="Black wallet", contact="e@example.org")
    first_match = suggest(app, pair.lost["id"], first["id"], score=0.9, text=0.9)
    second_match = suggest(app, pair.lost["id"], second["id"], score=0.9, text=0.9)

    read = confirm(client, first_match, attacker, "Some cards and a photo of a dog").json()
    assert read["owner_claim"] == OWNER_DETAILS  # shown: the attacker's answer is given
    confirm(client, second_match, attacker, read["owner_claim"])

    reused = view(client, pair.lost["id"], pair.loser, second_match)
    assert reused["proof_verified"] is False
    # The real finder's proof, given later, is judged on what is still secret.
    confirm(client, pair.match_id, pair.finder, TRUE_PROOF)
    assert view(client, pair.lost["id"], pair.loser, pair.match_id)["proof_verified"] is False


# -- attack 3: a fake owner (a copy of a public found report) -----------------------------------


def test_a_fake_owner_never_gets_the_finders_contact(
    app: FastAPI, client: TestClient, pair: Pair, new_reporter: NewReporter, new_item: NewItem
) -> None:
    public = client.get(f"/items/{pair.found['id']}").json()
    _, attacker = new_reporter("Mallory", "mallory@example.org")
    fake = new_item(
        attacker,
        kind="lost",
        title=public["title"],
        category=public["category"],
        colour=public["colour"],
        place_name=public["place_name"],
        contact="mallory@example.org",
        # Guesses for the claim: many things a wallet holds.
        private_details="cards, keys, photo, receipts, coins, tickets, pass, stickers, notes",
    )
    match_id = suggest(app, fake["id"], pair.found["id"], score=0.99, text=0.99)

    confirm(client, match_id, attacker)
    finder = confirm(client, match_id, pair.finder, TRUE_PROOF).json()
    # The attacker reads the proof and accepts it at once.
    accepted = client.post(f"/matches/{match_id}/accept-proof", headers=attacker)

    assert accepted.status_code == 200
    assert accepted.json()["agreed"] is False
    assert accepted.json()["other_contact"] is None
    assert "the finder's decision" in accepted.json()["awaiting"]
    # The finder sees what the "owner" claims, and that it did not check out.
    assert finder["claim_verified"] is False
    assert finder["owner_claim"].startswith("cards, keys")
    assert "your decision" in finder["awaiting"]
    assert client.post(f"/matches/{match_id}/reject", headers=pair.finder).status_code == 200
    assert client.post(f"/matches/{match_id}/accept-proof", headers=attacker).status_code == 409
    assert "+44 7700 900123" not in str(view(client, fake["id"], attacker))


def test_the_owner_cannot_write_their_claim_after_reading_the_proof(
    client: TestClient, pair: Pair, app: FastAPI, new_reporter: NewReporter, new_item: NewItem
) -> None:
    _, owner = new_reporter("Olga", "olga@example.org")
    lost = new_item(owner, private_details="")  # nothing private yet
    match_id = suggest(app, lost["id"], pair.found["id"], score=0.9, text=0.9)
    confirm(client, match_id, pair.finder, TRUE_PROOF)

    # Now the proof is readable: writing its words into the report changes nothing.
    patched = client.patch(
        f"/items/{lost['id']}", headers=owner, json={"private_details": TRUE_PROOF}
    )
    assert patched.status_code == 200
    confirm(client, match_id, owner)

    seen = view(client, lost["id"], owner)
    assert seen["owner_claim"] == ""
    assert seen["agreed"] is False
    assert view(client, pair.found["id"], pair.finder, match_id)["claim_verified"] is False


# -- what the checks cannot verify, people decide, each in a step of its own --------------------


def test_unverified_answers_are_accepted_by_people_explicitly(
    client: TestClient, pair: Pair
) -> None:
    # The finder wrote no private details: only the proof stands against the owner's claim.
    cleared = {"private_details": ""}
    assert client.patch(f"/items/{pair.found['id']}", headers=pair.finder, json=cleared).is_success
    proof = "Three loyalty cards from a bakery and a cinema ticket"
    assert confirm(client, pair.match_id, pair.finder, proof).status_code == 200
    saying_yes = confirm(client, pair.match_id, pair.loser).json()
    assert saying_yes["proof_verified"] is False
    assert saying_yes["agreed"] is False  # "yes" is not "I accept this proof"

    accepted = client.post(f"/matches/{pair.match_id}/accept-proof", headers=pair.loser)
    assert accepted.status_code == 200
    assert accepted.json()["agreed"] is False  # the finder has not accepted the claim
    finder = view(client, pair.found["id"], pair.finder)
    assert finder["claim_verified"] is False
    done = client.post(f"/matches/{pair.match_id}/accept-claim", headers=pair.finder)

    assert done.status_code == 200
    assert done.json()["agreed"] is True
    assert done.json()["status"] == "confirmed"
    # Each accepts only the other side's answer.
    match = f"/matches/{pair.match_id}"
    assert client.post(f"{match}/accept-proof", headers=pair.finder).status_code == 403
    assert client.post(f"{match}/accept-claim", headers=pair.loser).status_code == 403


def test_an_identifier_on_both_reports_verifies_both_sides(
    app: FastAPI, client: TestClient, new_reporter: NewReporter, new_item: NewItem
) -> None:
    _, owner = new_reporter("Ada", "ada@example.org")
    _, finder = new_reporter("Bob", "bob@example.org")
    lost = new_item(owner, title="Grey bicycle", category="bicycle", identifier="WBK 123456 7")
    found = new_item(
        finder, kind="found", title="Bike found", category="bicycle", identifier="wbk-1234567"
    )
    assert lost["identifier"] == "WBK 123456 7"
    assert "identifier" not in client.get(f"/items/{lost['id']}").json()
    match_id = suggest(app, lost["id"], found["id"], score=0.9, text=0.5)

    confirm(client, match_id, owner)
    agreed = confirm(client, match_id, finder, "It has a bell and a basket on the front")

    assert agreed.json()["agreed"] is True
