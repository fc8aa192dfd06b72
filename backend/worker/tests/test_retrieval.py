"""Which reports share one candidate query (retrieval.neighbourhoods): neighbours in category
group, place and time do; reports far apart, of another group, or one placed and one not, don't.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import numpy as np

from backend.common import match_record
from backend.common.models import ItemKind
from backend.worker.worker.retrieval import Query, neighbourhoods
from backend.worker.worker.settings import WorkerSettings

SETTINGS = WorkerSettings()
NOON = datetime(2026, 6, 1, 12, tzinfo=UTC)
AMSTERDAM = (52.37, 4.89)


def query(
    group: str | None = "bags",
    place: tuple[float, float] | None = AMSTERDAM,
    when: datetime = NOON,
) -> Query:
    item_id = uuid.uuid4()
    blob = match_record.pack(
        item_id=item_id,
        occurred_at=when,
        latitude=place[0] if place else None,
        longitude=place[1] if place else None,
        attributes=None,
        canonical_category=None,
        vector=match_record.quantize(np.ones(4) / 2),
        descriptor=None,
    )
    record = match_record.unpack([blob], 4)[0]
    return Query(item_id, ItemKind.LOST, record, group, None if group is None else {group}, when)


def grouped(queries: list[Query]) -> set[frozenset[uuid.UUID]]:
    return {frozenset(q.item_id for q in group) for group in neighbourhoods(queries, SETTINGS)}


def test_neighbours_share_one_query() -> None:
    reach_km = SETTINGS.max_distance_km
    a = query()
    b = query(
        place=(AMSTERDAM[0] + 0.5 * reach_km / 111, AMSTERDAM[1]), when=NOON + timedelta(days=3)
    )
    c = query(place=None)
    d = query(place=None, when=NOON - timedelta(days=2))
    assert grouped([a, b, c, d]) == {
        frozenset({a.item_id, b.item_id}),
        frozenset({c.item_id, d.item_id}),
    }


def test_reports_apart_query_alone() -> None:
    reach_km = SETTINGS.max_distance_km
    span = SETTINGS.match_days_after_loss + SETTINGS.match_days_before_loss
    base = query()
    far = query(place=(AMSTERDAM[0] + 3 * reach_km / 111, AMSTERDAM[1]))
    later = query(when=NOON + timedelta(days=span + 1))
    other_group = query(group="animals")
    unknown_group = query(group=None)
    everyone = [base, far, later, other_group, unknown_group]
    assert grouped(everyone) == {frozenset({q.item_id}) for q in everyone}


def test_every_report_is_in_exactly_one_group() -> None:
    rng = np.random.default_rng(3)
    queries = [
        query(
            group=str(rng.choice(["bags", "keys", "phones"])),
            place=(
                None
                if rng.random() < 0.3
                else (50.8 + rng.random() * 2.5, 3.4 + rng.random() * 3.5)
            ),
            when=NOON + timedelta(days=float(rng.integers(0, 365))),
        )
        for _ in range(300)
    ]
    groups = neighbourhoods(queries, SETTINGS)
    ids = [q.item_id for group in groups for q in group]
    assert sorted(ids) == sorted(q.item_id for q in queries)
    assert 1 < len(groups) < len(queries)


def test_a_report_reaches_its_group_what_it_names_and_containers() -> None:
    from backend.common.taxonomy import taxonomy
    from backend.worker.worker.rules import reachable_groups

    vocabulary = taxonomy()
    phone = reachable_groups("electronics", [], vocabulary)
    assert phone == {"electronics", "bag"}  # a phone may be found in a bag, not in a wallet
    assert reachable_groups("documents", [], vocabulary) == {"documents", "bag", "wallet"}
    bag = reachable_groups("bag", ["bag", "laptop", "keys"], vocabulary)
    assert bag == {"bag", "electronics", "keys"}  # one item of its contents
    assert reachable_groups("pet", [], vocabulary) == {"pet"}  # never in a bag
    assert reachable_groups(None, [], vocabulary) is None  # unknown: any
