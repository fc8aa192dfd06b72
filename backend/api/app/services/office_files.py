"""Reading an office's upload: the reports file's rows (CSV or JSON lines), each validated as a
report of its own, and the photo archive's photos, each checked and re-encoded like any upload.
A row that fails gets its reasons and stores nothing; services/batches.py stores the rest."""

from __future__ import annotations

import codecs
import csv
import io
import json
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, BinaryIO

from pydantic import ValidationError

from backend.api.app.errors import Invalid
from backend.api.app.photo_store import PhotoStore, StoredPhoto
from backend.api.app.schemas import BulkReport
from backend.api.app.settings import ApiSettings
from backend.common.images import ImageError
from backend.common.web import validation_errors

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
# Columns a CSV may have: the report's fields (BulkReport), nothing else.
COLUMNS = frozenset(BulkReport.model_fields)
NUMBERS = ("latitude", "longitude")


@dataclass
class Row:
    number: int
    fields: dict[str, Any] | None
    errors: list[dict[str, Any]]
    report: BulkReport | None = None
    duplicate_of: uuid.UUID | None = None
    photo: StoredPhoto | None = None


def file_format(file_name: str) -> str:
    for suffix, name in FORMATS.items():
        if file_name.lower().endswith(suffix):
            return name
    raise Invalid(
        ("body", "reports"),
        f"{file_name!r}: the reports file is CSV (.csv) or JSON lines (.jsonl, .ndjson)",
    )


def _text_lines(data: BinaryIO, limit: int) -> Iterator[str]:
    """The file's lines as text (UTF-8, a BOM allowed), refusing it past `limit` bytes."""
    raw = data.read(limit + 1)
    if len(raw) > limit:
        raise Invalid(("body", "reports"), f"the reports file is larger than {limit} bytes")
    try:
        text = codecs.decode(raw, "utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(("body", "reports"), f"the reports file is not UTF-8: {exc}") from exc
    return iter(text.splitlines())


def parse_rows(file_name: str, data: BinaryIO, limit: int) -> list[Row]:
    lines = _text_lines(data, limit)
    rows: list[Row] = []
    if file_format(file_name) == "jsonl":
        for line in lines:
            if not line.strip():
                continue
            number = len(rows) + 1
            try:
                value = json.loads(line)
            except ValueError as exc:
                rows.append(Row(number, None, [row_error(("row",), f"not JSON: {exc}")]))
                continue
            if not isinstance(value, dict):
                rows.append(Row(number, None, [row_error(("row",), "not a JSON object")]))
                continue
            rows.append(Row(number, value, []))
        return rows
    reader = csv.DictReader(lines)
    unknown = sorted(set(reader.fieldnames or ()) - COLUMNS)
    if not reader.fieldnames or unknown:
        raise Invalid(
            ("body", "reports"),
            (
                f"the CSV header names unknown columns {unknown}; columns are {sorted(COLUMNS)}"
                if unknown
                else "the CSV file has no header row"
            ),
        )
    for values in reader:
        number = len(rows) + 1
        if None in values:  # more cells than the header names
            rows.append(Row(number, None, [row_error(("row",), "more cells than columns")]))
            continue
        fields: dict[str, Any] = {k: v.strip() for k, v in values.items() if v and v.strip()}
        for name in NUMBERS:  # CSV cells are text; JSON numbers stay strict elsewhere
            if name in fields:
                with suppress(ValueError):  # if not a number, the schema says what is wrong
                    fields[name] = float(fields[name])
        rows.append(Row(number, fields, []))
    return rows


def row_error(location: tuple[str | int, ...], message: str) -> dict[str, Any]:
    return {"loc": list(location), "msg": message, "type": "value_error"}


def validate_rows(rows: list[Row], default_contact: str | None) -> None:
    seen: dict[str, int] = {}
    for row in rows:
        if row.fields is None:
            continue
        fields = dict(row.fields)
        if not fields.get("contact") and default_contact:
            fields["contact"] = default_contact
        try:
            report = BulkReport.model_validate(fields)
        except ValidationError as exc:
            row.errors = validation_errors(exc.errors())
            continue
        if report.contact is None:
            row.errors = [
                row_error(
                    ("contact",),
                    "no contact: give one per row, for the upload, or as the " "office's e-mail",
                )
            ]
            continue
        earlier = seen.setdefault(report.external_ref, row.number)
        if earlier != row.number:
            row.errors = [
                row_error(("external_ref",), f"the same external_ref as row {earlier} of this file")
            ]
            continue
        row.report = report


def open_archive(photos: BinaryIO | None, settings: ApiSettings) -> zipfile.ZipFile | None:
    if photos is None:
        return None
    photos.seek(0, io.SEEK_END)
    size = photos.tell()
    photos.seek(0)
    if size == 0:
        return None
    if size > settings.max_batch_photo_bytes:
        raise Invalid(
            ("body", "photos"),
            f"the photo archive is larger than {settings.max_batch_photo_bytes} bytes",
        )
    try:
        return zipfile.ZipFile(photos)
    except zipfile.BadZipFile as exc:
        raise Invalid(("body", "photos"), f"the photo archive is not a ZIP file: {exc}") from exc


def store_photos(
    rows: list[Row],
    archive: zipfile.ZipFile | None,
    store: PhotoStore,
    stored: list[StoredPhoto],
) -> None:
    """Each new row's photo, checked and re-encoded like any upload; a photo that is missing or
    not an image refuses its row (nothing of it is stored)."""
    members = {info.filename: info for info in archive.infolist()} if archive else {}
    for row in rows:
        if row.report is None or row.duplicate_of is not None or not row.report.photo:
            continue
        info = members.get(row.report.photo)
        if info is None or info.is_dir():
            row.errors = [
                row_error(("photo",), f"no file {row.report.photo!r} in the photo archive")
            ]
            row.report = None
            continue
        if info.file_size > store.max_bytes:  # declared size: no need to inflate a bomb
            row.errors = [
                row_error(
                    ("photo",), f"the photo is larger than the limit of {store.max_bytes} bytes"
                )
            ]
            row.report = None
            continue
        assert archive is not None
        try:
            with archive.open(info) as member:
                row.photo = store.save(member)
        except (ImageError, zipfile.BadZipFile, OSError) as exc:
            message = exc.message if isinstance(exc, ImageError) else f"unreadable: {exc}"
            row.errors = [row_error(("photo",), message)]
            row.report = None
            continue
        stored.append(row.photo)
