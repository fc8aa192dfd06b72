"""Loads sample lost and found reports (with photos) into a running stack and shows the
matches as they appear: `./pants run deployment/local:demo -- [--api URL] [--pairs N] [--check]`.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

import httpx

from deployment.local.sample_data import DISTRACTORS, PAIRS, Report, photo_png


def post_report(client: httpx.Client, token: str, report: Report, contact: str, index: int) -> str:
    headers = {"Authorization": f"Bearer {token}"}
    response = client.post("/items", json=report.body(contact), headers=headers)
    response.raise_for_status()
    item_id: str = response.json()["id"]
    if report.photo_seed is not None:
        png = photo_png(report.photo_seed, report.photo_colour, report.photo_turned, 500 + index)
        client.put(
            f"/items/{item_id}/photo",
            files={"file": ("photo.png", png, "image/png")},
            headers=headers,
        ).raise_for_status()
    return item_id


def reporter(client: httpx.Client, name: str) -> str:
    response = client.post(
        "/reporters", json={"name": name, "email": f"{name.lower()}@example.org"}
    )
    response.raise_for_status()
    token: str = response.json()["token"]
    return token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--api", default="http://127.0.0.1:8000")
    parser.add_argument("--pairs", type=int, default=len(PAIRS))
    parser.add_argument("--timeout", type=float, default=90, help="seconds to wait for matches")
    parser.add_argument("--check", action="store_true", help="exit 1 unless every pair matched")
    args = parser.parse_args()

    pairs = PAIRS[: args.pairs]
    with httpx.Client(base_url=args.api, timeout=30) as client:
        alice, bob = reporter(client, "Alice"), reporter(client, "Bob")
        lost_ids, expected = [], {}
        for index, (lost, found) in enumerate(pairs):
            found_id = post_report(client, bob, found, "bob@example.org", 2 * index)
            lost_id = post_report(client, alice, lost, "alice@example.org", 2 * index + 1)
            lost_ids.append(lost_id)
            expected[lost_id] = found_id
        for index, report in enumerate(DISTRACTORS if args.pairs == len(PAIRS) else []):
            post_report(
                client,
                bob if report.kind == "found" else alice,
                report,
                "x@example.org",
                100 + index,
            )
        print(f"demo: posted {len(pairs)} lost/found pairs; waiting for matches...")

        found_matches: dict[str, list[dict[str, Any]]] = {}
        deadline = time.monotonic() + args.timeout
        while len(found_matches) < len(lost_ids) and time.monotonic() < deadline:
            for lost_id in lost_ids:
                if lost_id in found_matches:
                    continue
                matches = client.get(
                    f"/items/{lost_id}/matches", headers={"Authorization": f"Bearer {alice}"}
                ).json()
                if matches:
                    found_matches[lost_id] = matches
            time.sleep(1)

    correct = 0
    for (lost, _), lost_id in zip(pairs, lost_ids, strict=True):
        matches = found_matches.get(lost_id, [])
        if not matches:
            print(f"  {lost.title:<32} -> no match yet")
            continue
        best = matches[0]
        ok = best["other_item"]["id"] == expected[lost_id]
        correct += ok
        parts = ", ".join(f"{k} {v:.2f}" for k, v in best["components"].items() if v is not None)
        print(
            f"  {lost.title:<32} -> {best['other_item']['title']:<32} score {best['score']:.2f}"
            f" ({parts}){'' if ok else '  [WRONG]'}"
        )
    print(f"demo: {correct}/{len(pairs)} lost items matched to their found report")
    if args.check and correct != len(pairs):
        sys.exit(1)


if __name__ == "__main__":
    main()
