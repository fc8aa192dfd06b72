"""Every state change of a report and a match, allowed and refused, written out here by hand
(not derived from the tables in enums.py, so a change there has to be made here too)."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from backend.common.db import make_engine, make_sessionmaker
from backend.common.db.migrations import upgrade
from backend.common.models import (
    EnrichmentState,
    Item,
    ItemKind,
    ItemStatus,
    Match,
    MatchStatus,
    Reporter,
    TransitionRefused,
)
from backend.common.models.match import ProofMissing

OPEN, MATCHED, RETURNED, CLOSED = (
    ItemStatus.OPEN,
    ItemStatus.MATCHED,
    ItemStatus.RETURNED,
    ItemStatus.CLOSED,
)
STATUS_ALLOWED = {
    (OPEN, MATCHED),
    (OPEN, RETURNED),
    (OPEN, CLOSED),
    (MATCHED, RETURNED),
    (MATCHED, OPEN),
    (MATCHED, CLOSED),
    (RETURNED, CLOSED),
    (CLOSED, OPEN),
}


def report(status: ItemStatus = OPEN, **fields: object) -> Item:
    item = Item(
        kind=fields.pop("kind", ItemKind.LOST),
        title=fields.pop("title", "Black leather wallet"),
        description=fields.pop("description", "red stripe inside"),
        occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
        contact="a@example.org",
        reporter_id=uuid.uuid4(),
        status=status,
        enrichment_state=fields.pop("enrichment_state", EnrichmentState.PENDING),
        enrichment_generation=0,
        **fields,
    )
    return item


@pytest.mark.parametrize(("current", "target"), itertools.product(ItemStatus, ItemStatus))
def test_report_status(current: ItemStatus, target: ItemStatus) -> None:
    item = report(current)
    if current == target or (current, target) in STATUS_ALLOWED:
        item.move_to(target)
        assert item.status == target
    else:
        with pytest.raises(TransitionRefused, match=f"from {current} to {target}"):
            item.move_to(target)
        assert item.status == current


@pytest.mark.parametrize("current", list(EnrichmentState))
def test_enrichment_may_always_be_requested_again(current: EnrichmentState) -> None:
    item = report(enrichment_state=current, enrichment_error="old", retry_at=datetime.now(UTC))
    item.request_enrichment()
    assert item.enrichment_state == EnrichmentState.PENDING
    assert item.enrichment_generation == 1
    assert item.enrichment_error is None and item.retry_at is None


def test_a_request_for_enrichment_wins_over_a_result_stored_meanwhile(tmp_path: Path) -> None:
    # The API reads a report; the worker stores its enrichment ("done"); the API's photo upload
    # then asks for enrichment. On SQLite (no row locks) the upload's write once left out the
    # state it read as "pending" already, and the report stayed "done" without its photo.
    url = f"sqlite:///{tmp_path / 'race.sqlite3'}"
    upgrade(url)
    sessions = make_sessionmaker(make_engine(url))
    with sessions() as session:
        item = report()
        session.add(Reporter(id=item.reporter_id, name="r"))
        session.add(item)
        session.commit()
    with sessions() as api, sessions() as worker, sessions() as another_api:
        read = api.get_one(Item, item.id)
        other = another_api.get_one(Item, item.id)
        worker.execute(Item.store_enrichment(item.id, 0, {"embedding_model": "m"}))
        worker.commit()
        read.request_enrichment()
        api.commit()
        other.request_enrichment()  # read generation 0 too: a second change makes generation 2
        another_api.commit()
    with sessions() as session:
        stored = session.get_one(Item, item.id)
        assert stored.enrichment_state == EnrichmentState.PENDING
        assert stored.enrichment_generation == 2


@pytest.mark.parametrize(
    ("current", "allowed"),
    [
        (EnrichmentState.PENDING, True),
        (EnrichmentState.FAILED, True),  # failing again: a newer reason
        (EnrichmentState.DONE, False),  # a result stands; a late failure does not undo it
    ],
)
def test_enrichment_failure(current: EnrichmentState, allowed: bool) -> None:
    item = report(enrichment_state=current)
    if allowed:
        item.fail_enrichment("the text service was unavailable", None)
        assert item.enrichment_state == EnrichmentState.FAILED
        assert item.enrichment_error == "the text service was unavailable"
    else:
        with pytest.raises(TransitionRefused):
            item.fail_enrichment("late", None)
        assert item.enrichment_state == current


def test_a_stored_result_applies_only_to_its_generation_and_a_state_done_may_follow() -> None:
    statement = str(Item.store_enrichment(uuid.uuid4(), 3, {"embedding_model": "m"}))
    assert "enrichment_generation = :enrichment_generation_1" in statement
    assert "enrichment_state IN (__[POSTCOMPILE_enrichment_state_1])" in statement
    compiled = Item.store_enrichment(uuid.uuid4(), 3, {}).compile()
    assert set(compiled.params["enrichment_state_1"]) == {"pending", "failed"}


def pair(match_status: MatchStatus = MatchStatus.SUGGESTED) -> Match:
    lost = report(OPEN, kind=ItemKind.LOST, brand="Fossil", private_details=SECRET)
    found = report(OPEN, kind=ItemKind.FOUND, title="Found a dark wallet")
    return Match(lost_item=lost, found_item=found, score=0.9, status=match_status)


SECRET = "a red stripe inside, behind the cards"
TRUE_PROOF = "there is a red stripe inside, behind the cards"
NOTHING_PUBLIC: set[str] = set()


def test_the_hand_over_needs_both_sides_and_both_checks() -> None:
    match = pair()
    match.confirm_as_owner()
    assert match.status == MatchStatus.SUGGESTED and match.owner_claim == SECRET
    match.give_proof(TRUE_PROOF, NOTHING_PUBLIC)
    assert match.proof_verified and match.claim_verified and match.agreed
    assert match.status == MatchStatus.CONFIRMED
    assert match.lost_item.status == match.found_item.status == MATCHED
    assert match.decided_at is not None


def test_an_unverified_proof_waits_for_the_owner_and_an_unverified_claim_for_the_finder() -> None:
    match = pair()
    match.give_proof("a black leather wallet, like yours", {"black", "leather", "wallet"})
    match.confirm_as_owner()
    assert not match.proof_verified and not match.claim_verified
    match.accept_proof()
    assert match.status == MatchStatus.SUGGESTED  # the finder has not accepted the claim
    match.accept_claim()
    assert match.status == MatchStatus.CONFIRMED


def test_a_proof_is_given_once() -> None:
    match = pair()
    match.give_proof("a passport photo is inside it", NOTHING_PUBLIC)
    with pytest.raises(TransitionRefused, match="judged once"):
        match.give_proof(TRUE_PROOF, NOTHING_PUBLIC)
    match.give_proof(None, NOTHING_PUBLIC)  # confirming again without a new answer is fine
    assert match.finder_proof == "a passport photo is inside it" and not match.proof_verified


def test_the_finder_needs_a_proof_and_acceptances_need_one_given() -> None:
    match = pair()
    with pytest.raises(ProofMissing):
        match.give_proof(None, NOTHING_PUBLIC)
    with pytest.raises(TransitionRefused, match="no proof from the finder"):
        match.accept_proof()
    with pytest.raises(TransitionRefused, match="give your proof first"):
        match.accept_claim()


@pytest.mark.parametrize(
    ("current", "decision", "allowed"),
    [
        (MatchStatus.SUGGESTED, "reject", True),
        (MatchStatus.SUGGESTED, "confirm", True),
        (MatchStatus.REJECTED, "reject", True),  # saying no twice is still no
        (MatchStatus.REJECTED, "confirm", False),
        (MatchStatus.CONFIRMED, "reject", False),
        (MatchStatus.CONFIRMED, "confirm", True),  # confirming again changes nothing
    ],
)
def test_match_decisions(current: MatchStatus, decision: str, allowed: bool) -> None:
    match = pair(current)
    act = match.reject if decision == "reject" else match.confirm_as_owner
    if allowed:
        act()
    else:
        with pytest.raises(TransitionRefused):
            act()
        assert match.status == current


def test_a_closed_report_cannot_be_matched() -> None:
    match = pair()
    match.found_item.status = CLOSED
    match.confirm_as_owner()
    with pytest.raises(TransitionRefused, match="from closed to matched"):
        match.give_proof(TRUE_PROOF, NOTHING_PUBLIC)
