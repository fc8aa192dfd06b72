"""Matching one new report against a million stored ones in PostgreSQL, the database included:
p50/p95 of the worker's own find_matches + record_matches + commit, beside the way candidates
were read before match records (ORM rows of every candidate) measured on the same table.

The table (a fixture this script makes once and reuses, `--reseed` to make it again): N open,
enriched reports from bench/_reports.py (a year, the Netherlands weighted by population, a third
of owners without coordinates, 25 % with a photo descriptor), written with COPY through the real
schema (migrations), with match records built by backend/common/match_record.pack. Their text
vectors are synthetic, not MiniLM's: one random direction per (category, colour) plus noise, so
reports of one kind and colour have cosines of 0.5-0.8 and others about 0. Timing does not
depend on what the vectors mean; matching quality is measured on real embeddings by
research/experiments/matching. Vision is not called (the fixture's photos have descriptors but
no keypoint records): the shortlist's keypoint check is one call of at most PHOTO_CHECKS records.

    ./pants run bench/matching_db.py -- [--reports 1000000] [--queries 200] [--reseed]
        [--unsure-share 0.045]   # desks' reports whose category group is a guess
"""

from __future__ import annotations

import argparse
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import numpy as np
import psycopg
from sqlalchemy import or_, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from tqdm import tqdm

from backend.common import match_record
from backend.common.db import make_engine, make_sessionmaker
from backend.common.db.migrations import upgrade
from backend.common.geo import bounding_box
from backend.common.models import Item, Reporter
from backend.common.taxonomy import taxonomy
from backend.worker.worker import retrieval
from backend.worker.worker.match_store import record_matches
from backend.worker.worker.matching import find_matches
from backend.worker.worker.rules import category_codes
from backend.worker.worker.settings import WorkerSettings
from bench._fixtures import SERVER, fixture_database
from bench._reports import COLOURS, ITEMS, GeneratedReport, reports

DIM = 384
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
COLUMNS = (
    "id, kind, title, description, category, colour, brand, latitude, longitude, place_name, "
    "occurred_at, reporter_id, contact, status, enrichment_state, enrichment_attempts, "
    "enrichment_generation, matched_generation, embedding_model, attributes, canonical_category, "
    "canonical_colour, match_group, match_record, created_at, updated_at"
)


# The new reports of an earlier run, and what matching stored for them.
FORGET_QUERIES = (
    "DELETE FROM notification WHERE match_id IN (SELECT m.id FROM match m JOIN item i ON i.id IN "
    "(m.lost_item_id, m.found_item_id) WHERE i.embedding_model = 'query')",
    "DELETE FROM match WHERE lost_item_id IN (SELECT id FROM item WHERE embedding_model = "
    "'query') OR found_item_id IN (SELECT id FROM item WHERE embedding_model = 'query')",
    "DELETE FROM item WHERE embedding_model = 'query'",
)


class Vectors:
    """A synthetic embedding per report: its (category, colour) direction plus noise."""

    def __init__(self, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.directions = rng.standard_normal((len(ITEMS) * len(COLOURS), DIM))
        self.rng = rng

    def of(self, report: GeneratedReport) -> np.ndarray:
        canonical = [i for i, item in enumerate(ITEMS) if report.category in (item[0], *item[1])]
        index = (canonical[0] if canonical else 0) * len(COLOURS) + COLOURS.index(report.colour)
        vector = self.directions[index] + self.rng.standard_normal(DIM) * 0.9
        return vector / np.linalg.norm(vector)


def row_of(
    report: GeneratedReport,
    vectors: Vectors,
    reporter: uuid.UUID,
    photo: bool,
    unsure: bool = False,
) -> tuple:
    """The report as a row; `unsure`: as a desk's report with no category typed whose text
    also names an object of another group ("keys, Ajax keyring"), which every candidate query
    reads (rules.unsure_group)."""
    vocabulary = taxonomy()
    [category] = vocabulary.canonical("CATEGORY", report.category) or ["wallet"]
    group = vocabulary.group(category) or ""
    categories = [category]
    if unsure:
        others = [c for c in vocabulary.categories if vocabulary.group(c) not in (group, None)]
        categories.append(others[int(vectors.rng.integers(len(others)))])
        group = ""
    brands = [report.brand.lower()] if report.brand else []
    attributes = {
        "colours": [report.colour],
        "brands": brands,
        "categories": categories,
        "places": [],
        "dates": [],
    }
    item_id = uuid.uuid4()
    rng = vectors.rng
    descriptor = (int(rng.integers(0, 2**63)), rng.bytes(64)) if photo else None
    record = match_record.pack(
        item_id=item_id,
        occurred_at=report.occurred_at,
        latitude=report.latitude,
        longitude=report.longitude,
        attributes=attributes,
        canonical_category=category,
        vector=match_record.quantize(vectors.of(report)),
        descriptor=descriptor,
        unsure_group=unsure,
    )
    return (
        item_id, report.kind, report.title, report.description, report.category, report.colour,
        report.brand, report.latitude, report.longitude, report.place_name, report.occurred_at,
        reporter, "desk@office.example", "open", "done", 1, 1, 1, "synthetic",
        psycopg.types.json.Jsonb(attributes), category, report.colour, group,
        record, NOW, NOW,
    )  # fmt: skip


def seed(url: str, count: int, unsure_share: float) -> None:
    """The fixture: `count` reports, COPYed, then the match index built once; `unsure_share`
    of the found reports are written as unsure of their group."""
    engine = make_engine(url)
    upgrade(url)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        office = Reporter(name="fixture")
        session.add(office)
        session.commit()
        office_id = office.id
    engine.dispose()
    vectors = Vectors(seed=7)
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute("DROP INDEX IF EXISTS ix_item_match")
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY item ({COLUMNS}) FROM STDIN") as copy,
        ):
            generated = reports(count, seed=11, days=365, now=NOW)
            unsure = np.random.default_rng(13).random(count) < unsure_share
            for n, report in enumerate(tqdm(generated, total=count, desc="seeding", unit="report")):
                row = row_of(
                    report,
                    vectors,
                    office_id,
                    photo=n % 4 == 0,
                    unsure=bool(unsure[n]) and report.kind == "found",
                )
                copy.write_row(row)
        print("seeding: building the match index and statistics ...", flush=True)
        started = time.perf_counter()
        upgrade_index(connection)
        connection.execute("VACUUM ANALYZE item")
        print(f"seeding: index and statistics in {time.perf_counter() - started:.0f} s")


def upgrade_index(connection: psycopg.Connection[Any]) -> None:
    # The index as the model declares it (models/item.py): partial, covering on PostgreSQL.
    from sqlalchemy.schema import CreateIndex

    [index] = [i for i in Item.__table__.indexes if i.name == "ix_item_match"]  # type: ignore[attr-defined]
    ddl = str(CreateIndex(index).compile(dialect=make_engine(SERVER).dialect))
    connection.execute(ddl)


def new_reports(session: Session, count: int, vectors: Vectors) -> list[uuid.UUID]:
    """`count` new reports of today, enriched (what the worker has when it matches one)."""
    office = session.scalars(select(Reporter.id)).first()
    assert office is not None
    ids = []
    names = [name.strip() for name in COLUMNS.split(",")]
    for report in reports(count, seed=99, days=1, now=NOW):
        row = dict(zip(names, row_of(report, vectors, office, photo=False), strict=True))
        row["attributes"] = row["attributes"].obj
        row["embedding_model"] = "query"  # removed before the next run
        item = Item(**row)
        session.add(item)
        ids.append(item.id)
    session.commit()
    return ids


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn()
    return (time.perf_counter() - started) * 1000, value


def orm_rows_of_candidates(session: Session, item: Item, settings: WorkerSettings) -> int:
    """Before match records: every candidate as an ORM row (the same filters)."""
    query = retrieval.query_of(item, taxonomy())
    assert query is not None
    start, end = query.window(settings)
    conditions: list[Any] = [
        text("status = 'open' AND enrichment_state = 'done' AND deleted_at IS NULL"),
        Item.kind == item.kind.other,
        Item.occurred_at.between(start, end),
        Item.match_group.in_(["", item.match_group]),
    ]
    if item.latitude is not None and item.longitude is not None:
        dlat, dlon = bounding_box(item.latitude, settings.max_distance_km)
        conditions.append(
            or_(
                Item.latitude.is_(None),
                Item.latitude.between(item.latitude - dlat, item.latitude + dlat)
                & Item.longitude.between(item.longitude - dlon, item.longitude + dlon),
            )
        )
    rows = session.scalars(select(Item).where(*conditions)).unique().all()
    # What scoring then needed of each: its embedding, decoded.
    for row in rows:
        match_record.unpack([row.match_record or b""], DIM)
    return len(rows)


def percentiles(values: list[float]) -> str:
    a = np.array(values)
    return f"p50 {np.percentile(a, 50):6.1f}  p95 {np.percentile(a, 95):6.1f}  max {a.max():6.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--baseline-queries", type=int, default=30, help="ORM rows: slow")
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument(
        "--unsure-share",
        type=float,
        default=0.0,
        help="share of found reports unsure of their group (tune's desks: 0.045)",
    )
    args = parser.parse_args()

    suffix = f"_unsure{round(args.unsure_share * 1000)}" if args.unsure_share else ""
    url = fixture_database(
        f"lf_bench_match_{args.reports}{suffix}",
        lambda url: seed(url, args.reports, args.unsure_share),
        reseed=args.reseed,
    )

    settings = WorkerSettings(database_url=url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        stored = session.scalar(text("SELECT count(*) FROM item WHERE status = 'open'"))
        print(f"{stored:,} open reports stored; {args.queries} new reports matched one at a time")
        for statement in FORGET_QUERIES:
            session.execute(text(statement))
        session.commit()
        query_ids = new_reports(session, args.queries, Vectors(seed=7))
    codes = category_codes(settings.taxonomy_file)

    match_ms: list[float] = []
    retrieve_ms: list[float] = []
    counts: list[int] = []
    capped: list[bool] = []
    for item_id in tqdm(query_ids, desc="matching", unit="report"):
        with sessions() as session:
            item = session.get_one(Item, item_id)
            found = retrieval.query_of(item, codes.vocabulary)
            assert found is not None
            query: retrieval.Query = found

            def retrieve(session: Session = session, query: retrieval.Query = query) -> Any:
                return retrieval.candidate_records(session, [query], settings, codes.vocabulary)

            ms, pool = timed(retrieve)
            retrieve_ms.append(ms)
            counts.append(int(retrieval.possible(query, pool, settings, codes).sum()))
            capped.append(len(pool) >= settings.max_candidates)

            def match(session: Session = session, item: Item = item) -> int:
                found = find_matches(session, [item], settings, None)
                created = record_matches(session, [(item, found[item.id])])
                session.commit()
                return len(created)

            ms, _ = timed(match)
            match_ms.append(ms)

    baseline_ms: list[float] = []
    for item_id in query_ids[: args.baseline_queries]:
        with sessions() as session:
            item = session.get_one(Item, item_id)

            def orm_rows(session: Session = session, item: Item = item) -> int:
                return orm_rows_of_candidates(session, item, settings)

            ms, _ = timed(orm_rows)
            baseline_ms.append(ms)

    # How often the MAX_CANDIDATES bound cut, and whether the best suggestion then changes.
    agree = 0
    capped_ids = [i for i, c in zip(query_ids, capped, strict=True) if c]
    unbounded = settings.model_copy(update={"max_candidates": 10**9})
    for item_id in capped_ids:
        with sessions() as session:
            item = session.get_one(Item, item_id)
            bounded = find_matches(session, [item], settings, None)[item.id]
            exact = find_matches(session, [item], unbounded, None)[item.id]
            agree += [s.candidate_id for s in bounded[:1]] == [s.candidate_id for s in exact[:1]]

    with sessions() as session:
        first = retrieval.query_of(session.get_one(Item, query_ids[0]), codes.vocabulary)
        assert first is not None
        candidates = retrieval.candidate_statement([first], settings, codes.vocabulary)
        compiled = candidates.compile(engine, compile_kwargs={"literal_binds": True})
        plan = session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}")).scalars().all()

    print(f"\nmatching one new report against {stored:,} stored (PostgreSQL, 2 cores), ms:")
    print(f"  whole match (find_matches + record_matches + commit)  {percentiles(match_ms)}")
    print(f"  of which candidate retrieval (match records)          {percentiles(retrieve_ms)}")
    before = f"before: candidates as ORM rows ({len(baseline_ms)} reports)"
    print(f"  {before:<53} {percentiles(baseline_ms)}")
    ratio = np.percentile(match_ms, 50) / np.percentile(baseline_ms, 50)
    print(f"  whole match / ORM rows alone, p50: {ratio:.2f}")
    print(
        f"  candidates per report: p50 {np.percentile(counts, 50):.0f}, p95 "
        f"{np.percentile(counts, 95):.0f}, max {max(counts)}; MAX_CANDIDATES "
        f"({settings.max_candidates}) reached by {len(capped_ids)} of {len(query_ids)}"
        + (
            f", same best suggestion as without the bound: {agree}/{len(capped_ids)}"
            if capped_ids
            else ""
        )
    )
    print("  target: p95 of the whole match <= 100 ms")
    print("\nplan of the candidate query for one report:")
    print("\n".join(f"  {line}" for line in plan))


if __name__ == "__main__":
    main()
