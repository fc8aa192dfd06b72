"""One of our labelled sets as ../shared/data/matching/run_stack.py reads it, photos included.

The set is read by harness.load_set (the reports, which lost report's truth is which, the kind
of noise of each pair). Each report with a photo gets `photo.file` and its PNG in OUT/photos/,
drawn by harness.drawn_photo, so the stack and the harness compare the same pictures (the API
re-encodes uploads; the harness does the same). Each pair's kind of noise becomes the runner's
`slice` (it prints the figures of each; its headline leaves `dutch` out, as set B's).

usage: stack_set.py NAME OUT_DIR   (NAME: tune, hand, noisy, desks, forms, calls; then
       run_stack.py API_URL OUT_DIR/NAME.json)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from research.experiments.matching.harness import BASE, Dataset, Report, drawn_photo, load_set


def runner_set(dataset: Dataset, photos: Path) -> dict[str, Any]:
    """`{"pairs": [{"id", "slice", "lost", "found"}], "distractors": [...]}`, writing photos."""

    def body(index: int) -> dict[str, Any]:
        report: Report = dataset.reports[index]
        item: dict[str, Any] = {
            "kind": report.kind,
            "title": report.title,
            "description": report.description,
            "category": report.category or "",
            "colour": report.colour or "",
            "brand": report.brand or "",
            "place": report.place or "",
            "lat": report.latitude,
            "lon": report.longitude,
            "day": (report.occurred_at - BASE).total_seconds() / 86400,
        }
        if report.photo:
            (photos / f"{index}.png").write_bytes(drawn_photo(report, index))
            item["photo"] = {"file": f"{index}.png"}
        return item

    paired = {index for pair in dataset.truth.items() for index in pair}
    return {
        "pairs": [
            {
                "id": dataset.reports[lost].id,
                "slice": dataset.noise.get(lost) or "all",
                "lost": body(lost),
                "found": body(found),
            }
            for lost, found in dataset.truth.items()
        ],
        "distractors": [body(i) for i in range(len(dataset.reports)) if i not in paired],
    }


def main(name: str, out: Path) -> None:
    photos = out / "photos"
    photos.mkdir(parents=True, exist_ok=True)
    data = runner_set(load_set(name), photos)
    target = out / f"{name}.json"
    target.write_text(json.dumps(data))
    print(f"{target}: {len(data['pairs'])} pairs, {len(list(photos.glob('*.png')))} photos")


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
