"""Bulk intake: an office uploads a file of reports; every row is stored or refused with its
reasons, never half; a second upload of the same references stores nothing new."""

from __future__ import annotations

import base64
import csv
import io
import json
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from backend.api.app.services import batches as batch_service
from backend.api.app.settings import ApiSettings
from backend.api.tests.helpers import ADMIN, Headers, png_bytes
from backend.common.db import refresh_statistics
from backend.common.jobs import BULK_QUEUE, ENRICH_ITEMS
from backend.common.models import Item, Match, Photo

FIELDS = ["external_ref", "kind", "title", "description", "category", "colour", "latitude",
          "longitude", "occurred_at", "photo"]  # fmt: skip


def finds(count: int, **overrides: Any) -> list[dict[str, Any]]:
    when = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    rows = [
        {
            "external_ref": f"GVB-2026-{n:05d}",
            "kind": "found",
            "title": f"Black umbrella #{n}",
            "description": "Left on tram 2, folded",
            "category": "umbrella",
            "colour": "black",
            "latitude": 52.37 + n / 1000,
            "longitude": 4.89,
            "occurred_at": when,
        }
        for n in range(count)
    ]
    for row in rows:
        row.update(overrides)
    return rows


def as_csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def as_jsonl(rows: list[dict[str, Any]]) -> bytes:
    return "\n".join(json.dumps(row) for row in rows).encode()


@pytest.fixture()
def office(client: TestClient) -> Headers:
    created = client.post(
        "/offices", json={"name": "GVB lost property", "email": "lost@gvb.example"}, headers=ADMIN
    )
    assert created.status_code == 201, created.text
    assert created.json()["role"] == "office"
    return {"Authorization": f"Bearer {created.json()['token']}"}


Upload = Callable[..., Any]


@pytest.fixture()
def upload(client: TestClient, office: Headers) -> Upload:
    def send(
        data: bytes,
        name: str = "finds.csv",
        photos: bytes | None = None,
        headers: Headers | None = None,
        **form: str,
    ) -> Any:
        files: dict[str, Any] = {"reports": (name, data, "text/csv")}
        if photos is not None:
            files["photos"] = ("photos.zip", photos, "application/zip")
        return client.post("/batches", files=files, data=form, headers=headers or office)

    return send


def stored_items(client: TestClient) -> list[Item]:
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        return list(session.query(Item).all())


def queued(settings: ApiSettings) -> list[tuple[str, list[str], str]]:
    """(task, item ids, queue) of each job in the embedded broker."""
    jobs = []
    for message in sorted((settings.broker_dir / "queue").iterdir()):
        body = json.loads(message.read_text())
        args = json.loads(base64.b64decode(body["body"]))[0]
        queue = body["properties"]["delivery_info"]["routing_key"]
        jobs.append((body["headers"]["task"], args[0], queue))
    return jobs


def test_good_rows_are_stored_and_a_bad_row_is_refused_with_its_reason(
    client: TestClient, upload: Upload, settings: ApiSettings
) -> None:
    rows = finds(3)
    rows[1]["latitude"] = "north of the station"  # not a number
    rows[1]["title"] = ""  # and no title

    response = upload(as_csv(rows))

    assert response.status_code == 201, response.text
    batch = response.json()
    assert (batch["rows_total"], batch["rows_accepted"], batch["rows_refused"]) == (3, 2, 1)
    [refused] = batch["refused"]
    assert refused["row"] == 2 and refused["external_ref"] == "GVB-2026-00001"
    assert refused["item_id"] is None
    problems = {tuple(error["loc"]): error["msg"] for error in refused["errors"]}
    assert ("latitude",) in problems and ("title",) in problems
    # Nothing of the refused row was stored; the others are reports of the office.
    refs = sorted(item.external_ref or "" for item in stored_items(client))
    assert refs == ["GVB-2026-00000", "GVB-2026-00002"]
    assert all(item.contact == "lost@gvb.example" for item in stored_items(client))
    # Enrichment is queued on the bulk queue, in one batch job.
    [(task, ids, queue)] = queued(settings)
    assert (task, queue, len(ids)) == (ENRICH_ITEMS, BULK_QUEUE, 2)
    assert batch["progress"]["reports"] == 2 and batch["progress"]["percent"] == 0.0


def test_a_second_upload_of_the_same_references_stores_nothing_new(
    client: TestClient, upload: Upload, office: Headers
) -> None:
    first = upload(as_jsonl(finds(4)), name="finds.jsonl").json()

    again = upload(as_jsonl(finds(4)), name="finds.jsonl")

    assert again.status_code == 201, again.text
    body = again.json()
    assert (body["rows_accepted"], body["rows_duplicate"], body["rows_refused"]) == (0, 4, 0)
    assert len(stored_items(client)) == 4
    rows = client.get(f"/batches/{body['id']}/rows", headers=office)
    assert rows.status_code == 200
    originals = client.get(f"/batches/{first['id']}/rows", headers=office)
    assert [r["item_id"] for r in rows.json()["rows"]] == [
        r["item_id"] for r in originals.json()["rows"]
    ]
    assert {r["outcome"] for r in rows.json()["rows"]} == {"duplicate"}


def test_a_reference_twice_in_one_file_is_refused_the_second_time(upload: Upload) -> None:
    rows = finds(2)
    rows[1]["external_ref"] = rows[0]["external_ref"]

    body = upload(as_csv(rows)).json()

    assert (body["rows_accepted"], body["rows_refused"]) == (1, 1)
    assert "row 1" in body["refused"][0]["errors"][0]["msg"]


def photo_archive(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_photos_come_from_the_archive_and_a_bad_one_refuses_only_its_row(
    client: TestClient, upload: Upload, settings: ApiSettings
) -> None:
    rows = finds(3)
    rows[0]["photo"] = "a.png"
    rows[1]["photo"] = "b.png"  # not an image
    rows[2]["photo"] = "missing.png"
    archive = photo_archive({"a.png": png_bytes(32, 32), "b.png": b"not an image at all"})

    body = upload(as_csv(rows), photos=archive).json()

    assert (body["rows_accepted"], body["rows_refused"]) == (1, 2)
    reasons = {row["row"]: row["errors"][0]["msg"] for row in body["refused"]}
    assert "missing.png" in reasons[3]
    assert reasons[2]  # vision's decoder said why (not an image)
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        photos = session.query(Photo).all()
    assert len(photos) == 1
    # Only the accepted row's photo is on disk: nothing half-stored.
    on_disk = [p.name for p in Path(settings.photos_path).iterdir() if not p.name.startswith(".")]
    assert on_disk == [photos[0].file_name]


def test_only_offices_upload_and_only_the_office_reads_its_batch(
    client: TestClient, upload: Upload, new_reporter: Callable[..., Any]
) -> None:
    _, person = new_reporter()
    refused = upload(as_csv(finds(1)), headers=person)
    assert refused.status_code == 403
    assert "offices" in refused.json()["detail"]
    assert stored_items(client) == []

    batch = upload(as_csv(finds(1))).json()
    assert client.get(f"/batches/{batch['id']}", headers=person).status_code == 403
    assert client.get(f"/batches/{batch['id']}", headers=ADMIN).status_code == 200
    assert client.post("/offices", json={"name": "x"}, headers=person).status_code == 403


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("finds.xlsx", b"PK...", "CSV (.csv) or JSON lines"),
        ("finds.csv", b"external_ref,colour,shoe_size\n1,red,42\n", "unknown columns"),
        ("finds.csv", b"", "no header row"),
        ("finds.jsonl", b"\n\n", "holds no report"),
        ("finds.csv", "external_ref\n\udcff".encode(errors="surrogateescape"), "not UTF-8"),
    ],
)
def test_a_file_that_is_not_a_reports_file_is_refused_whole(
    client: TestClient, upload: Upload, name: str, data: bytes, message: str
) -> None:
    response = upload(data, name=name)

    assert response.status_code == 422, response.text
    assert message in response.json()["detail"][0]["msg"]
    assert stored_items(client) == []


def test_more_rows_than_the_limit_are_refused_whole(
    client: TestClient, upload: Upload, settings: ApiSettings
) -> None:
    client.app.state.settings = settings.model_copy(update={"max_batch_rows": 5})  # type: ignore[attr-defined]

    response = upload(as_jsonl(finds(6)), name="finds.jsonl")

    assert response.status_code == 422
    assert "6 reports in one upload; the limit is 5" in response.json()["detail"][0]["msg"]
    assert stored_items(client) == []


def test_json_lines_rows_are_strict_json(client: TestClient, upload: Upload) -> None:
    lines = [json.dumps(finds(1)[0]), "{not json", "[1, 2]", json.dumps({**finds(1)[0], "x": 1})]

    body = upload("\n".join(lines).encode(), name="finds.ndjson").json()

    assert (body["rows_accepted"], body["rows_refused"]) == (1, 3)
    messages = [row["errors"][0]["msg"] for row in body["refused"]]
    assert messages[0].startswith("not JSON") and messages[1] == "not a JSON object"
    assert "Extra inputs" in messages[2]


def test_progress_counts_each_suggestion_of_the_batch_once(
    client: TestClient, upload: Upload
) -> None:
    first = upload(as_csv([*finds(1), *finds(1, kind="lost", external_ref="GVB-LOST-1")])).json()
    second = upload(as_csv(finds(1, external_ref="GVB-2026-99999"))).json()
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        items = {item.external_ref: item.id for item in session.query(Item).all()}
        lost = items["GVB-LOST-1"]
        # Both sides in the first file; then the first file's lost report and the second's find.
        for found in (items["GVB-2026-00000"], items["GVB-2026-99999"]):
            session.add(Match(lost_item_id=lost, found_item_id=found, score=0.9))
        session.commit()

    def suggestions(batch: dict[str, Any]) -> int:
        read = client.get(f"/batches/{batch['id']}", headers=ADMIN)
        assert read.status_code == 200, read.text
        return int(read.json()["progress"]["suggestions"])

    assert (suggestions(first), suggestions(second)) == (2, 1)


def test_a_large_upload_refreshes_the_planners_statistics(
    client: TestClient, upload: Upload, settings: ApiSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.app.state.settings = settings.model_copy(update={"analyze_after_rows": 3})  # type: ignore[attr-defined]
    refreshed: list[tuple[str, ...]] = []

    def refresh(session: Any, tables: tuple[str, ...]) -> None:
        refreshed.append(tables)
        refresh_statistics(session, tables)

    monkeypatch.setattr(batch_service, "refresh_statistics", refresh)

    def items_as_planned() -> float | None:
        """How many reports the database's planner thinks the item table holds."""
        with client.app.state.sessions() as session:  # type: ignore[attr-defined]
            if session.get_bind().dialect.name == "postgresql":
                return float(
                    session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'item'"))
                )
            stat = session.scalar(
                text("SELECT stat FROM sqlite_stat1 WHERE idx = 'ix_item_occurred_at'")
            )
            return float(stat.split()[0]) if stat else None

    rows = finds(5)
    upload(as_csv(rows[:2]))  # fewer than the setting: left to autovacuum
    assert refreshed == []
    upload(as_csv(rows[2:]))
    assert refreshed == [("item", "batch_row")]
    assert items_as_planned() == 5
