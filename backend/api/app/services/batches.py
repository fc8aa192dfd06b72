"""Bulk intake: a lost-property office uploads many reports at once.

The upload is a reports file, CSV (a header row naming the fields) or JSON lines (one object
per line), and optionally a ZIP archive of photos that rows name in their `photo` field. Every
row is validated as a report of its own (the same rules as POST /items) and either stored, or
refused with the reasons, storing nothing of it; a row whose `external_ref` the office reported
before is that report again (idempotent uploads). Accepted rows are stored in one transaction
with the batch, then queued for enrichment in chunks of neighbours (by kind, place and time),
so that a chunk's matching shares one candidate query. Reading the file and the archive is
services/office_files.py; this module decides, stores and reports progress.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from sqlalchemy import case, func, insert, or_, select, union
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from backend.api.app.errors import Forbidden, Invalid, NotFound
from backend.api.app.paging import Page
from backend.api.app.photo_store import PhotoStore, StoredPhoto
from backend.api.app.rate_limits import RateLimits
from backend.api.app.services.access import Caller
from backend.api.app.services.office_files import (
    Row,
    file_format,
    open_archive,
    parse_rows,
    store_photos,
    validate_rows,
)
from backend.api.app.settings import ApiSettings
from backend.common.db import refresh_statistics
from backend.common.geo import locality
from backend.common.models import (
    Batch,
    BatchRow,
    EnrichmentState,
    Item,
    ItemStatus,
    Match,
    Photo,
    Reporter,
    ReporterRole,
    RowOutcome,
    include_deleted,
)
from backend.common.models.item import derived_columns

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Upload:
    """What the office sent: the reports file (its name says the format), the photo archive."""

    file_name: str
    reports: BinaryIO
    photos: BinaryIO | None = None
    contact: str | None = None


def intake(
    session: Session,
    caller: Caller,
    upload: Upload,
    store: PhotoStore,
    settings: ApiSettings,
    rate_limits: RateLimits,
) -> tuple[Batch, list[uuid.UUID]]:
    """Validate and store an office's upload; the batch, and the new reports' ids in the
    order to enrich them (neighbours together)."""
    office = session.get(Reporter, caller.acts_for) if caller.acts_for else None
    if office is None or office.role != ReporterRole.OFFICE:
        raise Forbidden(
            "bulk uploads are for lost-property offices; an administrator creates office "
            "accounts (POST /offices)"
        )
    rows = parse_rows(upload.file_name, upload.reports, settings.max_batch_bytes)
    if not rows:
        raise Invalid(("body", "reports"), "the reports file holds no report")
    if len(rows) > settings.max_batch_rows:
        raise Invalid(
            ("body", "reports"),
            f"{len(rows)} reports in one upload; the limit is {settings.max_batch_rows}",
        )
    rate_limits.check(rate_limits.batches, f"office:{office.id}")
    default_contact = upload.contact or office.email
    validate_rows(rows, default_contact)
    _mark_duplicates(session, office.id, rows)
    archive = open_archive(upload.photos, settings)
    stored: list[StoredPhoto] = []
    try:
        if archive is not None or any(row.report and row.report.photo for row in rows):
            store_photos(rows, archive, store, stored)
        batch, new_ids = _store(session, caller, office, upload, rows)
        session.commit()
    except BaseException:
        # Nothing half-stored: the photo files of rows that did not make it go too.
        session.rollback()
        for photo in stored:
            store.delete(photo.file_name)
        raise
    if len(new_ids) >= settings.analyze_after_rows:
        try:
            refresh_statistics(session, ("item", "batch_row"))
            session.commit()
        except SQLAlchemyError as exc:
            # The upload is stored: statistics only speed up its matching, autovacuum's later.
            session.rollback()
            log.warning("statistics not refreshed after batch %s: %s", batch.id, type(exc).__name__)
    return batch, new_ids


def _mark_duplicates(session: Session, office_id: uuid.UUID, rows: list[Row]) -> None:
    """Rows whose external_ref the office reported before (even if deleted since)."""
    refs = [row.report.external_ref for row in rows if row.report is not None]
    known: dict[str, uuid.UUID] = {}
    for start in range(0, len(refs), 1000):
        statement = select(Item.external_ref, Item.id).where(
            Item.reporter_id == office_id, Item.external_ref.in_(refs[start : start + 1000])
        )
        known.update((ref, item_id) for ref, item_id in session.execute(include_deleted(statement)))
    for row in rows:
        if row.report is not None and row.report.external_ref in known:
            row.duplicate_of = known[row.report.external_ref]


def _store(
    session: Session, caller: Caller, office: Reporter, upload: Upload, rows: list[Row]
) -> tuple[Batch, list[uuid.UUID]]:
    batch = Batch(
        reporter_id=office.id,
        file_name=upload.file_name[:200],
        file_format=file_format(upload.file_name),
        rows_total=len(rows),
        rows_accepted=sum(row.report is not None and row.duplicate_of is None for row in rows),
        rows_duplicate=sum(row.duplicate_of is not None for row in rows),
        rows_refused=sum(row.report is None for row in rows),
    )
    batch.record_change(caller.actor)
    session.add(batch)
    session.flush()
    items, photos, outcomes = [], [], []
    for row in rows:
        outcome = RowOutcome.REFUSED
        item_id = None
        if row.report is not None and row.duplicate_of is not None:
            outcome, item_id = RowOutcome.DUPLICATE, row.duplicate_of
        elif row.report is not None:
            outcome, item_id = RowOutcome.ACCEPTED, uuid.uuid4()
            fields = row.report.model_dump(exclude={"photo"})
            items.append(
                {
                    **fields,
                    **derived_columns(fields),
                    "id": item_id,
                    "reporter_id": office.id,
                    "batch_id": batch.id,
                    "created_by": caller.actor,
                    "updated_by": caller.actor,
                }
            )
            if row.photo is not None:
                photos.append(
                    {
                        "id": uuid.uuid4(),
                        "item_id": item_id,
                        "file_name": row.photo.file_name,
                        "content_type": row.photo.content_type,
                        "size_bytes": row.photo.size_bytes,
                        "sha256": row.photo.sha256,
                        "created_by": caller.actor,
                        "updated_by": caller.actor,
                    }
                )
        ref = row.report.external_ref if row.report else _ref_of(row.fields)
        outcomes.append(
            {
                "batch_id": batch.id,
                "row": row.number,
                "external_ref": ref,
                "outcome": outcome,
                "item_id": item_id,
                "errors": row.errors or None,
            }
        )
    if items:
        session.execute(insert(Item), items)
    if photos:
        session.execute(insert(Photo), photos)
    session.execute(insert(BatchRow), outcomes)
    order = sorted(
        items,
        key=lambda item: (
            item["kind"],
            *locality(item["latitude"], item["longitude"], item["occurred_at"]),
        ),
    )
    return batch, [item["id"] for item in order]


def _ref_of(fields: dict[str, Any] | None) -> str | None:
    value = (fields or {}).get("external_ref")
    return str(value)[:100] if isinstance(value, str | int) and str(value).strip() else None


# -- reading a batch back ----------------------------------------------------------------------


def load(session: Session, caller: Caller, batch_id: uuid.UUID) -> Batch:
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise NotFound(f"batch {batch_id} not found")
    if not caller.is_admin and caller.acts_for != batch.reporter_id:
        raise Forbidden("only the office that uploaded a batch sees it")
    return batch


def progress(session: Session, batch: Batch) -> dict[str, Any]:
    """How far enrichment and matching of the batch's reports (new and duplicate) got."""
    settled_match = or_(
        Item.status != ItemStatus.OPEN, Item.matched_generation == Item.enrichment_generation
    )
    done = Item.enrichment_state == EnrichmentState.DONE
    failed = Item.enrichment_state == EnrichmentState.FAILED
    counts = session.execute(
        include_deleted(
            select(
                func.count(),
                func.sum(case((done, 1), else_=0)),
                func.sum(case((done & settled_match, 1), else_=0)),
                func.sum(case((failed, 1), else_=0)),
                func.sum(case((failed & Item.retry_at.is_(None), 1), else_=0)),
            )
            .select_from(BatchRow)
            .join(Item, Item.id == BatchRow.item_id)
            .where(BatchRow.batch_id == batch.id)
        )
    ).one()
    reports, enriched, matched, failed_n, for_good = (int(value or 0) for value in counts)
    # Matches of the batch's reports, each once (both sides may be in one file). Each side is
    # found through its own index: a join on "lost or found" read every match for each row
    # (79 ms a poll with 10,000 rows: a quarter of PostgreSQL's CPU during an office's upload).
    sides = [
        select(Match.id)
        .join(BatchRow, BatchRow.item_id == side)
        .where(BatchRow.batch_id == batch.id)
        for side in (Match.lost_item_id, Match.found_item_id)
    ]
    suggestions = session.scalar(select(func.count()).select_from(union(*sides).subquery()))
    finished = matched + for_good
    return {
        "reports": reports,
        "enriched": enriched,
        "matched": matched,
        "failed": failed_n,
        "failed_for_good": for_good,
        "suggestions": int(suggestions or 0),
        "percent": round(100.0 * finished / reports, 1) if reports else 100.0,
    }


def rows(
    session: Session,
    batch: Batch,
    outcome: RowOutcome | None,
    page: Page,
) -> tuple[Sequence[BatchRow], int]:
    conditions = [BatchRow.batch_id == batch.id]
    if outcome is not None:
        conditions.append(BatchRow.outcome == outcome)
    found = session.scalars(
        select(BatchRow)
        .where(*conditions)
        .order_by(BatchRow.row)
        .offset(page.offset)
        .limit(page.size)
    ).all()
    total = session.scalar(select(func.count()).select_from(BatchRow).where(*conditions)) or 0
    return found, total
