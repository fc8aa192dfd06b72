"""A labelled set as ../shared/data/matching/run_stack.py reads it, photos included: our sets
describe a photo by how it is drawn (`seed`, `rgb`, `turned`), the runner uploads files. Each
report with a photo gets `photo.file` and its PNG in OUT/photos/, drawn as the harness draws it,
so the stack and the harness compare the same pictures. Each pair's kind of noise becomes the
runner's `slice` (it prints the figures of each; its headline leaves `dutch` out, as set B's).
The older format (`noisy.jsonl`: one report a line, pairs by `pair`) is written as pairs and
distractors.

usage: stack_set.py SET.json|SET.jsonl OUT_DIR   (then: run_stack.py API_URL OUT_DIR/SET.json)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from deployment.local.sample_data import photo_png


def from_json(source: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The set, and its reports in harness.load_set's order (lost, found per pair, then the
    distractors), whose index seeds each photo's background."""
    data = json.loads(source.read_text())
    in_pairs = [pair[side] for pair in data["pairs"] for side in ("lost", "found")]
    for pair in data["pairs"]:
        pair["slice"] = pair.get("noise", "all")
    return data, [*in_pairs, *data["distractors"]]


def from_jsonl(source: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The older format as pairs and distractors; its reports in file order (the harness's)."""
    raw = [json.loads(line) for line in source.read_text().splitlines() if line.strip()]
    reports = [
        {
            "kind": row["kind"],
            "title": row["title"],
            "description": row.get("description") or "",
            "category": row.get("category") or "",
            "colour": row.get("colour") or "",
            "brand": row.get("brand") or "",
            "place": row.get("place_name") or "",
            "lat": row.get("latitude"),
            "lon": row.get("longitude"),
            "day": -float(row["days_ago"]),
            **({"photo": row["photo"]} if row.get("photo") else {}),
        }
        for row in raw
    ]
    sides = {(row["pair"], row["kind"]): i for i, row in enumerate(raw) if row.get("pair")}
    paired = sorted(
        {row["pair"] for row in raw if row.get("pair")}
        & {pair for pair, kind in sides if kind == "lost"}
        & {pair for pair, kind in sides if kind == "found"}
    )
    in_pairs = {sides[pair, kind] for pair in paired for kind in ("lost", "found")}
    data = {
        "pairs": [
            {
                "id": pair,
                "slice": "noisy",
                "lost": reports[sides[pair, "lost"]],
                "found": reports[sides[pair, "found"]],
            }
            for pair in paired
        ],
        "distractors": [report for i, report in enumerate(reports) if i not in in_pairs],
    }
    return data, reports


def main(source: Path, out: Path) -> None:
    data, reports = from_jsonl(source) if source.suffix == ".jsonl" else from_json(source)
    photos = out / "photos"
    photos.mkdir(parents=True, exist_ok=True)
    drawn = 0
    for index, report in enumerate(reports):
        photo = report.get("photo")
        if not photo:
            continue
        name = f"{index}.png"
        (photos / name).write_bytes(
            photo_png(photo["seed"], tuple(photo["rgb"]), photo["turned"], 7000 + index)
        )
        photo["file"] = name
        drawn += 1
    target = out / f"{source.stem}.json"
    target.write_text(json.dumps(data))
    print(f"{target}: {len(data['pairs'])} pairs, {drawn} photos in {photos}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
