"""Bulk intake over HTTP: an office uploads a file of reports (and a ZIP of their photos), then
follows the batch's progress. The work is backend/api/app/services/batches.py."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, File, Form, UploadFile, status
from sqlalchemy.orm import Session

from backend.api.app.deps import (
    CallerDep,
    DatabaseRoute,
    JobsDep,
    PageDep,
    PhotosDep,
    RateLimitsDep,
    SessionDep,
    SettingsDep,
)
from backend.api.app.paging import Page
from backend.api.app.schemas import BatchOut, BatchProgress, BatchRowOut, BatchRowPage
from backend.api.app.services import batches
from backend.common.models import Batch, BatchRow, RowOutcome

router = APIRouter(prefix="/batches", tags=["bulk intake"], route_class=DatabaseRoute)

REFUSED_SHOWN = 100  # refused rows in a batch's answer; all of them page by page


def batch_view(session: Session, batch: Batch) -> BatchOut:
    refused, _ = batches.rows(session, batch, RowOutcome.REFUSED, Page(1, REFUSED_SHOWN))
    return BatchOut(
        id=batch.id,
        file_name=batch.file_name,
        file_format=batch.file_format,
        created_at=batch.created_at,
        rows_total=batch.rows_total,
        rows_accepted=batch.rows_accepted,
        rows_duplicate=batch.rows_duplicate,
        rows_refused=batch.rows_refused,
        progress=BatchProgress(**batches.progress(session, batch)),
        refused=[_row(row) for row in refused],
    )


def _row(row: BatchRow) -> BatchRowOut:
    return BatchRowOut.model_validate(row)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=BatchOut,
    summary="Office: upload many reports at once (CSV or JSON lines, photos in a ZIP)",
    description="""
The `reports` file is **CSV** (`.csv`: a header row of field names, one report per row) or
**JSON lines** (`.jsonl`/`.ndjson`: one JSON object per line). Each report has the fields of
`POST /items` plus `external_ref` (the office's own reference: uploading it again is the same
report) and optionally `photo`, the name of its file in the `photos` ZIP archive. `contact` may
be left out of rows: the upload's `contact` field, else the office's e-mail, is used.

Every row is validated on its own: a valid row is stored, a refused one stores nothing and is
listed with its reasons (`refused`, and `GET /batches/{id}/rows`), a row whose `external_ref`
was reported before is a `duplicate` of that report. The stored reports are then enriched and
matched in the background: poll `GET /batches/{id}` for `progress`.
""",
    responses={403: {"description": "The caller is not a lost-property office"}},
)
def upload_batch(
    background: BackgroundTasks,
    session: SessionDep,
    caller: CallerDep,
    jobs: JobsDep,
    store: PhotosDep,
    settings: SettingsDep,
    rate_limits: RateLimitsDep,
    reports: Annotated[UploadFile, File(description="The reports: .csv, .jsonl or .ndjson")],
    photos: Annotated[UploadFile | None, File(description="ZIP of the rows' photos")] = None,
    contact: Annotated[
        str | None, Form(max_length=254, description="Contact for rows that give none")
    ] = None,
) -> BatchOut:
    upload = batches.Upload(
        file_name=reports.filename or "reports.csv",
        reports=reports.file,
        photos=photos.file if photos is not None else None,
        contact=contact.strip() if contact and contact.strip() else None,
    )
    batch, new_ids = batches.intake(session, caller, upload, store, settings, rate_limits)
    background.add_task(jobs.request_enrichment, new_ids, bulk=True)
    return batch_view(session, batch)


@router.get("/{batch_id}", response_model=BatchOut, summary="Office: a batch and its progress")
def read_batch(batch_id: uuid.UUID, session: SessionDep, caller: CallerDep) -> BatchOut:
    return batch_view(session, batches.load(session, caller, batch_id))


@router.get(
    "/{batch_id}/rows",
    response_model=BatchRowPage,
    summary="Office: what each row of a batch became",
)
def read_batch_rows(
    batch_id: uuid.UUID,
    session: SessionDep,
    caller: CallerDep,
    page: PageDep,
    outcome: RowOutcome | None = None,
) -> BatchRowPage:
    batch = batches.load(session, caller, batch_id)
    found, total = batches.rows(session, batch, outcome, page)
    return BatchRowPage(
        rows=[_row(row) for row in found], total=total, page=page.number, page_size=page.size
    )
