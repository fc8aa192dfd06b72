"""Upload a lost-property office's reports in bulk, and follow them until they are matched.

    ./pants run clients/office:upload -- finds.csv [--photos photos.zip] [--contact desk@...]

The token is the office's (an administrator creates it: POST /offices), from LOSTFOUND_TOKEN
or --token; the API from LOSTFOUND_API (default http://127.0.0.1:8000) or --api. The file is
CSV with a header row, or JSON lines; see `POST /batches` in the API's documentation (/docs).
Shows the upload's progress, then every refused row with its reasons, then enrichment and
matching until every report is done (--no-wait to stop after the upload).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import IO, Any

import httpx
from tqdm import tqdm


class _Counted:
    """A file whose reads move a progress bar (httpx reads it as it sends it)."""

    def __init__(self, handle: IO[bytes], bar: tqdm) -> None:
        self.handle, self.bar = handle, bar

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.bar.update(len(data))
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self.handle, name)


def upload(api: httpx.Client, reports: Path, photos: Path | None, contact: str | None) -> Any:
    total = reports.stat().st_size + (photos.stat().st_size if photos else 0)
    with (
        tqdm(total=total, unit="B", unit_scale=True, desc="uploading") as bar,
        reports.open("rb") as report_file,
    ):
        files: dict[str, Any] = {"reports": (reports.name, _Counted(report_file, bar))}
        photo_file = photos.open("rb") if photos else None
        try:
            if photo_file is not None:
                files["photos"] = (photos.name if photos else "", _Counted(photo_file, bar))
            response = api.post(
                "/batches", files=files, data={"contact": contact} if contact else None
            )
        finally:
            if photo_file is not None:
                photo_file.close()
    if response.status_code != 201:
        sys.exit(f"upload: refused ({response.status_code}): {response.text[:2000]}")
    return response.json()


def show_refused(api: httpx.Client, batch: dict[str, Any]) -> None:
    print(
        f"upload: {batch['rows_total']} rows: {batch['rows_accepted']} new reports, "
        f"{batch['rows_duplicate']} already reported, {batch['rows_refused']} refused"
    )
    page = 1
    while batch["rows_refused"]:
        rows = api.get(
            f"/batches/{batch['id']}/rows", params={"outcome": "refused", "page": page}
        ).json()
        for row in rows["rows"]:
            reasons = "; ".join(
                f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}"
                for error in row["errors"] or []
            )
            print(f"  row {row['row']} ({row['external_ref'] or 'no reference'}): {reasons}")
        if page * rows["page_size"] >= rows["total"]:
            break
        page += 1


def follow(api: httpx.Client, batch_id: str, poll_s: float, timeout_s: float) -> dict[str, Any]:
    progress = api.get(f"/batches/{batch_id}").json()["progress"]
    deadline = time.monotonic() + timeout_s
    with tqdm(total=progress["reports"], unit="report", desc="matching") as bar:
        while True:
            done = progress["matched"] + progress["failed_for_good"]
            bar.update(done - bar.n)
            bar.set_postfix(enriched=progress["enriched"], suggestions=progress["suggestions"])
            if progress["percent"] >= 100 or time.monotonic() > deadline:
                return dict(progress)
            time.sleep(poll_s)
            progress = api.get(f"/batches/{batch_id}").json()["progress"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="upload", description=__doc__)
    parser.add_argument("reports", type=Path, help="the reports: .csv, .jsonl or .ndjson")
    parser.add_argument("--photos", type=Path, help="a ZIP of the photos rows name")
    parser.add_argument("--contact", help="contact for rows that give none")
    parser.add_argument("--api", default=os.environ.get("LOSTFOUND_API", "http://127.0.0.1:8000"))
    parser.add_argument("--token", default=os.environ.get("LOSTFOUND_TOKEN"))
    parser.add_argument("--no-wait", action="store_true", help="stop after the upload")
    parser.add_argument("--timeout", type=float, default=3600, help="most seconds to follow")
    args = parser.parse_args(argv)
    if not args.token:
        sys.exit("upload: the office's token: --token or LOSTFOUND_TOKEN")
    headers = {"Authorization": f"Bearer {args.token}"}
    with httpx.Client(base_url=args.api, headers=headers, timeout=600) as api:
        batch = upload(api, args.reports, args.photos, args.contact)
        show_refused(api, batch)
        print(f"upload: batch {batch['id']}")
        if args.no_wait:
            return
        progress = follow(api, batch["id"], poll_s=2.0, timeout_s=args.timeout)
    print(
        f"upload: {progress['matched']} of {progress['reports']} reports matched, "
        f"{progress['suggestions']} suggestions, {progress['failed']} failed "
        f"({progress['failed_for_good']} for good)"
    )


if __name__ == "__main__":
    main()
