"""Candidate retrieval reads every candidate's match record from PostgreSQL exactly: records of
today's layout (joined into one value by the database), an older layout's (read one by one), and
never another model's; the MAX_CANDIDATES bound keeps the nearest in time."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from backend.common import match_record
from backend.common.models import EnrichmentState, Item, ItemKind
from backend.common.taxonomy import taxonomy
from backend.worker.worker import retrieval
from backend.worker.worker.settings import WorkerSettings

pytestmark = pytest.mark.integration

NewItem = Callable[..., uuid.UUID]
LOST_ON = datetime.now(UTC) - timedelta(days=3)
RNG = np.random.default_rng(11)


def record(item_id: uuid.UUID, occurred_at: datetime, *, dim: int = 384, version: int = 0) -> bytes:
    vector = RNG.standard_normal(dim).astype(np.float32)
    blob = match_record.pack(
        item_id=item_id,
        occurred_at=occurred_at,
        latitude=52.37,
        longitude=4.89,
        attributes={"colours": ["black"]},
        canonical_category="wallet",
        vector=match_record.quantize(vector / np.linalg.norm(vector)),
        descriptor=None,
    )
    if not version:
        return blob
    current = match_record.unpack([blob], dim)[0]
    old = np.zeros(1, match_record.record_dtype(dim, version))
    for name in old.dtype.names or ():
        old[0][name] = current[name]
    old[0]["version"] = version
    return old.tobytes()


def stored(
    sessions: sessionmaker[Session],
    new_item: NewItem,
    kind: ItemKind,
    days_after_loss: float,
    **record_options: int,
) -> uuid.UUID:
    occurred_at = LOST_ON + timedelta(days=days_after_loss)
    item_id = new_item(kind, "Black wallet", occurred_at=occurred_at, category="wallet")
    with sessions() as session:
        session.execute(
            update(Item)
            .where(Item.id == item_id)
            .values(
                enrichment_state=EnrichmentState.DONE,
                canonical_category="wallet",
                match_record=record(item_id, occurred_at, **record_options),
            )
        )
        session.commit()
    return item_id


def test_every_layout_is_read_and_the_bound_keeps_the_nearest_in_time(
    sessions: sessionmaker[Session], new_item: NewItem
) -> None:
    lost = stored(sessions, new_item, ItemKind.LOST, 0)
    today = [stored(sessions, new_item, ItemKind.FOUND, days) for days in (1, 9, 20)]
    older_layout = stored(sessions, new_item, ItemKind.FOUND, 2, version=1)
    stored(sessions, new_item, ItemKind.FOUND, 3, dim=768)  # another model's: never read
    vocabulary = taxonomy()
    with sessions() as session:
        query = retrieval.query_of(session.get_one(Item, lost), vocabulary)
        assert query is not None

        def read(settings: WorkerSettings) -> dict[uuid.UUID, np.void]:
            records = retrieval.candidate_records(session, [query], settings, vocabulary)
            return dict(zip(match_record.ids(records), records, strict=True))

        everything = read(WorkerSettings())
        nearest = read(WorkerSettings(max_candidates=2))

    assert set(everything) >= {*today, older_layout}
    for item_id in today:
        assert everything[item_id].tobytes() == record_of(sessions, item_id)
    # The older layout's record: its fields as stored, the fields it lacks empty.
    older = np.frombuffer(record_of(sessions, older_layout), match_record.record_dtype(384, 1))
    assert np.array_equal(everything[older_layout]["vector"], older[0]["vector"])
    assert everything[older_layout]["flags"] == everything[older_layout]["ident"] == 0
    assert set(nearest) == {today[0], older_layout}  # 1 and 2 days from the loss


def record_of(sessions: sessionmaker[Session], item_id: uuid.UUID) -> bytes:
    with sessions() as session:
        blob = session.get_one(Item, item_id).match_record
        assert blob is not None
        return blob
