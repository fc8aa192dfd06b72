"""Candidate retrieval: the match records of every report that could be the same object.

Candidates are the other kind's open, enriched reports in the time window, near (or of unknown
place, or either lost on a journey), and of a category group the report may be
(rules.reachable_groups: its own, what it mentions, what it may have been in; a dog is never a
laptop); and always those with the same identifier. SQL narrows by kind, group, time and a
bounding box, reading only `match_record` from the covering index `ix_item_match`; numpy then
applies each report's exact window, circle and groups. One query serves a batch of reports of
one kind (a bulk upload is matched in chunks of neighbours).

A report whose candidates are more than MAX_CANDIDATES (a report with neither place nor
category, in a country-sized table) gets the MAX_CANDIDATES nearest in time: a bound on the
work of one match, explicit and in the order that loses least.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence, Set
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import (
    ColumnElement,
    LargeBinary,
    Select,
    TextClause,
    func,
    literal,
    or_,
    select,
    text,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import array_agg
from sqlalchemy.orm import Session

from backend.common import match_record
from backend.common.db import BINARY_RESULTS
from backend.common.db.spatial import days_apart
from backend.common.geo import bounding_box, locality
from backend.common.models import Item, ItemKind
from backend.common.models.item import MATCHABLE
from backend.common.taxonomy import Taxonomy
from backend.worker.worker.rules import (
    CategoryCodes,
    candidate_mask,
    reachable_groups,
    time_window,
)
from backend.worker.worker.settings import WorkerSettings


@dataclass(frozen=True)
class Query:
    """A report being matched, as its own match record says it."""

    item_id: uuid.UUID
    kind: ItemKind
    record: np.void
    group: str | None
    groups: Set[str] | None  # the groups its candidates may have; None: any
    occurred_at: datetime
    identifier_key: str | None = None

    @property
    def located(self) -> bool:
        """A point to search around (not a journey's route, not unknown)."""
        return not np.isnan(self.record["latitude"]) and not self.journey

    @property
    def journey(self) -> bool:
        return bool(int(self.record["flags"]) & match_record.JOURNEY)

    def window(self, settings: WorkerSettings) -> tuple[datetime, datetime]:
        return time_window(
            self.kind == ItemKind.LOST,
            self.occurred_at,
            settings.match_days_after_loss,
            settings.match_days_before_loss,
        )


def query_of(item: Item, vocabulary: Taxonomy) -> Query | None:
    """The item as a query, or None if it has no match record of its own yet."""
    if not item.match_record:
        return None
    records = match_record.unpack([item.match_record], match_record.dim_of(item.match_record))
    if not len(records):
        return None
    group = vocabulary.group(item.canonical_category)
    mentioned = (item.attributes or {}).get("categories", [])
    return Query(
        item.id,
        item.kind,
        records[0],
        group,
        reachable_groups(group, mentioned, vocabulary),
        item.occurred_at,
        item.identifier_key,
    )


def candidate_statement(
    queries: Sequence[Query], settings: WorkerSettings, vocabulary: Taxonomy
) -> Select[tuple[bytes | None]]:
    windows = [query.window(settings) for query in queries]
    conditions: list[ColumnElement[bool] | TextClause] = [
        # As literal SQL, not parameters: PostgreSQL proves the partial index applies only from
        # constants (a prepared statement's generic plan would otherwise not use it).
        text(MATCHABLE),
        Item.kind == queries[0].kind.other,
        Item.occurred_at.between(min(w[0] for w in windows), max(w[1] for w in windows)),
        Item.match_record.is_not(None),
    ]
    reach = [query.groups for query in queries]
    if all(groups is not None for groups in reach):  # unknown groups ("") always qualify
        wanted = set().union(*(groups for groups in reach if groups is not None))
        conditions.append(Item.match_group.in_(sorted({"", *wanted})))
    else:  # every group, so that the index still narrows by time
        conditions.append(Item.match_group.in_(["", *vocabulary.groups]))
    if all(query.located for query in queries):
        boxes = []
        for query in queries:
            lat, lon = float(query.record["latitude"]), float(query.record["longitude"])
            dlat, dlon = bounding_box(lat, settings.max_distance_km)
            boxes.append((lat - dlat, lat + dlat, lon - dlon, lon + dlon))
        conditions.append(
            or_(
                Item.latitude.is_(None),
                Item.journey.is_(True),
                Item.latitude.between(min(b[0] for b in boxes), max(b[1] for b in boxes))
                & Item.longitude.between(min(b[2] for b in boxes), max(b[3] for b in boxes)),
            )
        )
    return select(Item.match_record).where(*conditions)


def same_identifier(session: Session, queries: Sequence[Query], dim: int) -> np.ndarray:
    """The match records of the other kind's open reports that share an identifier with any of
    `queries` (a serial number, an IMEI: whatever their time, place or category)."""
    keys = sorted({query.identifier_key for query in queries if query.identifier_key})
    if not keys:
        return match_record.unpack([], dim)
    statement = select(Item.match_record).where(
        text(MATCHABLE),
        Item.kind == queries[0].kind.other,
        Item.identifier_key.in_(keys),
        Item.match_record.is_not(None),
    )
    return _records(session, statement, dim)[1]


def neighbourhoods(queries: Sequence[Query], settings: WorkerSettings) -> list[list[Query]]:
    """`queries` in groups that share most of their candidates: the same category group, and
    places and times no farther apart than a report's own reach (one query serves a group; the
    reports of a bulk upload come in chunks of neighbours). Reports far apart query alone."""
    span_days = settings.match_days_after_loss + settings.match_days_before_loss
    groups: list[list[Query]] = []
    for query in sorted(queries, key=_locality):
        for group in groups:
            if _near(group[0], query, settings, span_days):
                group.append(query)
                break
        else:
            groups.append([query])
    return groups


def _locality(query: Query) -> tuple[str, bool, float, float, datetime]:
    record, located = query.record, query.located
    return (
        ",".join(sorted(query.groups or ())),
        *locality(
            float(record["latitude"]) if located else None,
            float(record["longitude"]) if located else None,
            query.occurred_at,
        ),
    )


def _near(first: Query, other: Query, settings: WorkerSettings, span_days: float) -> bool:
    if first.groups != other.groups or first.located != other.located:
        return False
    if abs((first.occurred_at - other.occurred_at).total_seconds()) > span_days * 86400:
        return False
    if not first.located:
        return True  # both country-wide: the group and the time say it all
    lat = float(first.record["latitude"])
    dlat, dlon = bounding_box(lat, settings.max_distance_km)
    return (
        abs(lat - float(other.record["latitude"])) <= dlat
        and abs(float(first.record["longitude"]) - float(other.record["longitude"])) <= dlon
    )


def candidate_records(
    session: Session, queries: Sequence[Query], settings: WorkerSettings, vocabulary: Taxonomy
) -> np.ndarray:
    """The match records of every candidate of any of `queries` (one kind, one embedding size;
    neighbours: see `neighbourhoods`), at most MAX_CANDIDATES per query, in one SQL query."""
    if not queries:
        return match_record.unpack([], 0)
    dim = int(queries[0].record["dim"])
    nearby = _nearby(session, queries, settings, vocabulary, dim)
    exact = same_identifier(session, queries, dim)
    if not len(exact):
        return nearby
    merged = np.concatenate([nearby, exact])
    _, first = np.unique(merged["id"], return_index=True)
    return merged[np.sort(first)]


def _nearby(
    session: Session,
    queries: Sequence[Query],
    settings: WorkerSettings,
    vocabulary: Taxonomy,
    dim: int,
) -> np.ndarray:
    cap = settings.max_candidates
    statement = candidate_statement(queries, settings, vocabulary)
    selected, records = _records(session, statement.limit(cap + 1), dim)
    if selected <= cap:
        return records
    if len(queries) > 1:  # too many together: each half on its own
        half = len(queries) // 2
        parts = [
            _nearby(session, queries[:half], settings, vocabulary, dim),
            _nearby(session, queries[half:], settings, vocabulary, dim),
        ]
        merged = np.concatenate(parts)
        _, first = np.unique(merged["id"], return_index=True)
        return merged[np.sort(first)]
    dialect = session.get_bind().dialect.name
    nearest = statement.order_by(days_apart(Item.occurred_at, queries[0].occurred_at, dialect))
    return _records(session, nearest.limit(cap), dim)[1]


def _records(
    session: Session, statement: Select[tuple[bytes | None]], dim: int
) -> tuple[int, np.ndarray]:
    """How many rows `statement` selects, and their match records (as match_record.unpack
    reads them). Read on the session's connection rather than through the ORM: they are plain
    bytes, MATCHABLE already leaves deleted reports out, and the ORM's loading of each row was
    a quarter of candidate retrieval in bench/intake.py. On PostgreSQL the records come joined
    into one value, in the binary format (db.BINARY_RESULTS): a Python object per row was
    most of the time of a report with thousands of candidates (bench/matching_db.py)."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        blobs = [blob for blob in connection.execute(statement).scalars().all() if blob]
        return len(blobs), match_record.unpack(blobs, dim)
    rows = statement.subquery()
    whole = func.length(rows.c.match_record) == match_record.record_dtype(dim).itemsize
    joined = select(
        func.count(),
        type_coerce(
            func.string_agg(rows.c.match_record, literal(b"", LargeBinary)).filter(whole),
            LargeBinary,
        ),
        array_agg(rows.c.match_record).filter(~whole),  # older layouts, one by one
    ).execution_options(**{BINARY_RESULTS: True})
    selected, together, others = connection.execute(joined).one()
    blobs = [blob for blob in others or () if blob]
    return selected, match_record.unpack_joined(together or b"", blobs, dim)


def possible(
    query: Query, records: np.ndarray, settings: WorkerSettings, codes: CategoryCodes
) -> np.ndarray:
    """Which of `records` are candidates of `query` itself (rules.candidate_mask, or the same
    identifier)."""
    mask = candidate_mask(
        query.record,
        query.kind == ItemKind.LOST,
        query.groups,
        query.occurred_at,
        records,
        days_after_loss=settings.match_days_after_loss,
        days_before_loss=settings.match_days_before_loss,
        max_distance_km=settings.max_distance_km,
        codes=codes,
    )
    ident = int(query.record["ident"])
    if ident:
        mask |= (records["ident"] == np.uint64(ident)) & (records["id"] != query.record["id"])
    return mask
