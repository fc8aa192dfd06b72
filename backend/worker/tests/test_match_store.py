"""Storing matches on PostgreSQL: re-scores land, concurrent writers never collide."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backend.common.models import Item, ItemKind, Match, MatchStatus, Notification
from backend.worker.tests.conftest import suggestion
from backend.worker.worker.match_store import Suggestion, record_matches

pytestmark = pytest.mark.integration

NewItem = Callable[..., uuid.UUID]


def store(
    sessions: sessionmaker[Session], item_id: uuid.UUID, found: list[Suggestion]
) -> list[uuid.UUID]:
    with sessions() as session:
        item = session.get_one(Item, item_id)
        created = record_matches(session, [(item, found)])
        session.commit()
        return created


def test_a_rescore_of_an_existing_pair_is_stored(
    sessions: sessionmaker[Session], new_item: NewItem
) -> None:
    lost = new_item(ItemKind.LOST, "black wallet")
    found = new_item(ItemKind.FOUND, "wallet, black leather")
    [created] = store(sessions, found, [suggestion(lost, 0.6, None)])
    # The photo arrives: the same pair, scored again from either side.
    assert store(sessions, lost, [suggestion(found, 0.8, 0.7)]) == []
    assert store(sessions, found, [suggestion(lost, 0.81, 0.72)]) == []
    with sessions() as session:
        [match] = session.scalars(select(Match).where(Match.found_item_id == found)).unique()
        assert match.id == created
        assert (match.score, match.image_score) == (0.81, 0.72)
        notices = session.scalars(select(Notification).where(Notification.match_id == created))
        assert len(list(notices)) == 1


def test_both_sides_storing_the_same_new_pair_at_once_make_one_match(
    sessions: sessionmaker[Session], new_item: NewItem
) -> None:
    def side(
        item_id: uuid.UUID, other: uuid.UUID, barrier: threading.Barrier, errors: list[Exception]
    ) -> None:
        try:
            barrier.wait()
            store(sessions, item_id, [suggestion(other, 0.7, None)])
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)

    for _ in range(10):
        lost = new_item(ItemKind.LOST, "blue umbrella")
        found = new_item(ItemKind.FOUND, "umbrella, blue")
        errors: list[Exception] = []
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(target=side, args=(lost, found, barrier, errors)),
            threading.Thread(target=side, args=(found, lost, barrier, errors)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        with sessions() as session:
            stored = session.scalars(select(Match).where(Match.lost_item_id == lost)).unique()
            assert len(list(stored)) == 1


def test_several_suggestions_store_the_new_pairs_and_tell_each_owner_once(
    sessions: sessionmaker[Session], new_item: NewItem
) -> None:
    found = new_item(ItemKind.FOUND, "keys on a red fob")
    lost = [new_item(ItemKind.LOST, f"keys, report {n}") for n in range(4)]
    [earlier] = store(sessions, found, [suggestion(lost[2], 0.5, None)])
    created = store(
        sessions, found, [suggestion(owner, 0.9 - n / 10, None) for n, owner in enumerate(lost)]
    )
    with sessions() as session:
        stored = {
            match.lost_item_id: match
            for match in session.scalars(select(Match).where(Match.found_item_id == found)).unique()
        }
        # New ones in the order suggested; the existing pair rescored, not made again.
        assert created == [stored[lost[n]].id for n in (0, 1, 3)]
        assert stored[lost[2]].id == earlier and stored[lost[2]].score == pytest.approx(0.7)
        notices = session.scalars(
            select(Notification).where(Notification.match_id.in_([*created, earlier]))
        ).all()
        assert sorted(n.payload["title"] for n in notices) == [
            f"keys, report {n}" for n in range(4)
        ]
        assert {n.payload["match_id"] for n in notices} == {str(m) for m in [*created, earlier]}


def test_a_task_s_reports_store_their_pairs_together_once_each(
    sessions: sessionmaker[Session], new_item: NewItem
) -> None:
    """A matching task's reports in one call: a pair both of whose reports are in the task is
    one match with the later scoring, and one notice; an open suggestion is rescored, one a
    person decided on keeps its record."""
    lost = [new_item(ItemKind.LOST, f"grey backpack {n}") for n in range(3)]
    found = [new_item(ItemKind.FOUND, f"backpack, grey {n}") for n in range(2)]
    [open_one] = store(sessions, found[1], [suggestion(lost[2], 0.4, None)])
    [decided] = store(sessions, found[0], [suggestion(lost[2], 0.5, None)])
    with sessions() as session:
        session.get_one(Match, decided).status = MatchStatus.REJECTED
        session.commit()
    with sessions() as session:
        items = {key: session.get_one(Item, key) for key in [*lost, *found]}
        created = record_matches(
            session,
            [
                (items[found[0]], [suggestion(lost[0], 0.7, None), suggestion(lost[2], 0.9, None)]),
                (items[lost[1]], [suggestion(found[1], 0.6, None)]),
                (items[lost[0]], [suggestion(found[0], 0.75, None)]),
                (items[found[1]], [suggestion(lost[2], 0.8, None)]),
            ],
        )
        session.commit()
    with sessions() as session:
        stored = {
            (match.lost_item_id, match.found_item_id): match
            for match in session.scalars(select(Match).where(Match.found_item_id.in_(found)))
            .unique()
            .all()
        }
        assert created == [stored[lost[0], found[0]].id, stored[lost[1], found[1]].id]
        assert len(stored) == 4
        assert stored[lost[0], found[0]].score == pytest.approx(0.75)
        assert stored[lost[2], found[1]].score == pytest.approx(0.8)  # rescored
        assert stored[lost[2], found[0]].score == pytest.approx(0.5)  # decided: kept
        notices = session.scalars(
            select(Notification).where(Notification.match_id.in_([*created, open_one, decided]))
        ).all()
        assert sorted(n.payload["title"] for n in notices) == [
            "grey backpack 0",
            "grey backpack 1",
            "grey backpack 2",
            "grey backpack 2",
        ]
