"""A labelled set as ../shared/data/matching/run_stack.py reads it, photos included: our sets
describe a photo by how it is drawn (`seed`, `rgb`, `turned`), the runner uploads files. Each
report with a photo gets `photo.file` and its PNG in OUT/photos/, drawn as the harness draws it,
so the stack and the harness compare the same pictures. Each pair's kind of noise becomes the
runner's `slice` (it prints the figures of each; its headline leaves `dutch` out, as set B's).

usage: stack_set.py SET.json OUT_DIR   (then: run_stack.py API_URL OUT_DIR/SET.json)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from deployment.local.sample_data import photo_png


def reports_in_harness_order(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Lost, found per pair, then the distractors: harness.load_set's order, whose index seeds
    each photo's background."""
    in_pairs = [pair[side] for pair in data["pairs"] for side in ("lost", "found")]
    return [*in_pairs, *data["distractors"]]


def main(source: Path, out: Path) -> None:
    data = json.loads(source.read_text())
    photos = out / "photos"
    photos.mkdir(parents=True, exist_ok=True)
    for pair in data["pairs"]:
        pair["slice"] = pair.get("noise", "all")  # the runner prints each slice's figures
    drawn = 0
    for index, report in enumerate(reports_in_harness_order(data)):
        photo = report.get("photo")
        if not photo:
            continue
        name = f"{index}.png"
        (photos / name).write_bytes(
            photo_png(photo["seed"], tuple(photo["rgb"]), photo["turned"], 7000 + index)
        )
        photo["file"] = name
        drawn += 1
    (out / source.name).write_text(json.dumps(data))
    print(f"{out / source.name}: {drawn} photos in {photos}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
