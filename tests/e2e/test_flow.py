"""A lost item and its found counterpart meet, the way two people use the product; then the
matching quality on a sample of the research experiment's noisy set (same stack)."""

from __future__ import annotations

import io
import json
import math
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from deployment.local.sample_data import DISTRACTORS, PAIRS, Report, photo_png
from tests.e2e.running import ADMIN_TOKEN, Stack

pytestmark = pytest.mark.integration

LOST, FOUND = PAIRS[0]
UNRELATED = DISTRACTORS[0]  # a child's bicycle: another category, another place


def reporter(api: httpx.Client, name: str) -> dict[str, str]:
    response = api.post("/reporters", json={"name": name, "email": f"{name.lower()}@example.org"})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def report(api: httpx.Client, who: dict[str, str], item: Report, contact: str, seed: int) -> str:
    created = api.post("/items", json=item.body(contact), headers=who)
    assert created.status_code == 201, created.text
    item_id: str = created.json()["id"]
    if item.photo_seed is not None:
        png = photo_png(item.photo_seed, item.photo_colour, item.photo_turned, seed)
        uploaded = api.put(
            f"/items/{item_id}/photo", files={"file": ("p.png", png, "image/png")}, headers=who
        )
        assert uploaded.status_code == 200, uploaded.text
    return item_id


def wait_for(check: Any, timeout_s: float = 120) -> Any:
    deadline = time.monotonic() + timeout_s
    while not (value := check()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.5)
    return value


def test_every_probe_answers(stack: Stack) -> None:
    for service in ("api", "nlp", "vision"):
        assert httpx.get(stack.url(service) + "/healthz").json() == {"status": "ok"}
        ready = httpx.get(stack.url(service) + "/readyz")
        assert ready.status_code == 200 and ready.json()["ready"] is True
    probe = stack.run("probe")
    assert probe.returncode == 0, probe.stdout


def test_lost_and_found_meet_and_share_contacts(stack: Stack) -> None:
    with httpx.Client(base_url=stack.url("api"), timeout=30) as api:
        alice, bob, carol = reporter(api, "Alice"), reporter(api, "Bob"), reporter(api, "Carol")
        lost_id = report(api, alice, LOST, "alice@example.org", seed=1)
        found_id = report(api, bob, FOUND, "+31 6 0000 0001", seed=2)
        unrelated_id = report(api, carol, UNRELATED, "carol@example.org", seed=3)

        def matches(item_id: str, who: dict[str, str]) -> list[dict[str, Any]]:
            response = api.get(f"/items/{item_id}/matches", headers=who)
            assert response.status_code == 200, response.text
            body: list[dict[str, Any]] = response.json()
            return body

        def scored_with_photos() -> list[dict[str, Any]]:
            # The text may be enriched (and matched) before the photo upload lands; the match is
            # re-scored once both photos are enriched.
            found = matches(lost_id, alice)
            return found if found and found[0]["components"]["image"] is not None else []

        [match] = wait_for(scored_with_photos, timeout_s=180)
        assert match["other_item"]["id"] == found_id
        assert match["status"] == "suggested"
        components = match["components"]
        assert components["text"] > 0.2
        assert components["image"] is not None and components["image"] > 0.5
        assert components["attributes"] > 0.5
        assert match["other_contact"] is None

        first = api.post(f"/matches/{match['id']}/confirm", headers=alice)
        assert first.status_code == 200 and first.json()["other_contact"] is None
        [bobs_view] = matches(found_id, bob)
        # Bob holds the wallet: his proof names Alice's private details, and hers agree with his.
        proof = {"proof": "There is a red stripe inside, next to an ID card"}
        second = api.post(f"/matches/{bobs_view['id']}/confirm", headers=bob, json=proof)
        assert second.status_code == 200, second.text
        assert second.json()["claim_verified"] is True
        assert second.json()["status"] == "confirmed" and second.json()["agreed"] is True
        assert matches(lost_id, alice)[0]["proof_verified"] is True
        # They talk through the platform; a contact shows only once its owner shares it.
        assert second.json()["other_contact"] is None
        said = api.post(
            f"/matches/{match['id']}/messages", headers=alice, json={"text": "Thank you!"}
        )
        assert said.status_code == 201, said.text
        shared = api.put(f"/matches/{match['id']}/share-contact", headers=bob, json={"share": True})
        assert shared.status_code == 200
        assert matches(lost_id, alice)[0]["other_contact"] == "+31 6 0000 0001"
        assert matches(found_id, bob)[0]["other_contact"] is None

        # The unrelated report is enriched like any other, and matches nothing.
        wait_for(lambda: stack.matching_done([unrelated_id]))  # its match task has run
        assert matches(unrelated_id, carol) == []


# -- matching quality: research/experiments/matching/data/noisy.jsonl (other words for
# categories and colours, owners without coordinates, late reports, three near-twins per pair).
# Finders report first; then each owner's report is matched against all of theirs.

DATA = Path("research/experiments/matching/data/noisy.jsonl")
SAMPLE_PAIRS, SAMPLE_UNRELATED = 20, 20


def sample() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(found reports: true, near-twins and unrelated; lost reports) of the first PAIRS pairs."""
    reports = [json.loads(line) for line in DATA.read_text().splitlines() if line.strip()]
    pairs = sorted({r["pair"] for r in reports if r["pair"]})[:SAMPLE_PAIRS]
    ours = [r for r in reports if r["id"].split("-")[0] in pairs]
    unrelated = [r for r in reports if r["id"].startswith("d")][:SAMPLE_UNRELATED]
    found = [r for r in ours if r["kind"] == "found"] + unrelated
    return found, [r for r in ours if r["kind"] == "lost"]


def post(api: httpx.Client, token: str, report: dict[str, Any], index: int) -> str:
    body = {
        key: report[key]
        for key in ("kind", "title", "description", "category", "colour", "brand", "place_name")
        if report.get(key)
    }
    if report["latitude"] is not None:
        body |= {"latitude": report["latitude"], "longitude": report["longitude"]}
    occurred = datetime.now(UTC) - timedelta(days=report["days_ago"])
    body |= {"occurred_at": occurred.isoformat(), "contact": f"r{index}@example.org"}
    headers = {"Authorization": f"Bearer {token}"}
    created = api.post("/items", json=body, headers=headers)
    assert created.status_code == 201, created.text
    item_id: str = created.json()["id"]
    if report["photo"]:
        p = report["photo"]
        png = photo_png(p["seed"], tuple(p["rgb"]), p["turned"], 7000 + index)
        uploaded = api.put(
            f"/items/{item_id}/photo", files={"file": ("p.png", png, "image/png")}, headers=headers
        )
        assert uploaded.status_code == 200, uploaded.text
    return item_id


def wait_enriched(
    api: httpx.Client, headers: dict[str, str], ids: list[str], timeout_s: float = 300
) -> None:
    """Until the reporter's own view (`headers`: their token) says each is enriched: an identity
    document has no public view to ask."""
    deadline = time.monotonic() + timeout_s
    waiting = set(ids)
    while waiting:
        assert time.monotonic() < deadline, f"{len(waiting)} reports not enriched"
        for item_id in list(waiting):
            if api.get(f"/items/{item_id}", headers=headers).json()["enrichment_state"] == "done":
                waiting.discard(item_id)
        time.sleep(0.5)


def test_noisy_reports_find_their_match_and_little_else(stack: Stack) -> None:
    found, lost = sample()
    with httpx.Client(base_url=stack.url("api"), timeout=30) as api:
        finder = api.post("/reporters", json={"name": "Finders"}).json()["token"]
        owner = api.post("/reporters", json={"name": "Owners"}).json()["token"]
        found_ids = {r["id"]: post(api, finder, r, i) for i, r in enumerate(found)}
        wait_enriched(api, {"Authorization": f"Bearer {finder}"}, list(found_ids.values()))
        lost_ids = {r["id"]: post(api, owner, r, 1000 + i) for i, r in enumerate(lost)}
        wait_enriched(api, {"Authorization": f"Bearer {owner}"}, list(lost_ids.values()))
        wait_for(lambda: stack.matching_done(list(lost_ids.values())), timeout_s=300)

        truth = {lost_ids[r["id"]]: found_ids[f"{r['pair']}-found"] for r in lost}
        ranks, unrelated = [], 0
        for lost_id, true_id in truth.items():
            matches = api.get(
                f"/items/{lost_id}/matches", headers={"Authorization": f"Bearer {owner}"}
            ).json()
            shown = [m["other_item"]["id"] for m in sorted(matches, key=lambda m: -m["score"])]
            ranks.append(shown.index(true_id) + 1 if true_id in shown else math.inf)
            unrelated += sum(other != true_id for other in shown)

    recall_at_1 = sum(rank <= 1 for rank in ranks) / len(ranks)
    recall_at_5 = sum(rank <= 5 for rank in ranks) / len(ranks)
    print(f"recall@1 {recall_at_1:.2f}, recall@5 {recall_at_5:.2f}, unrelated {unrelated}")
    # This set is reported on, not fitted on (matching_model.json is fitted on data/tune.json):
    # research/experiments/matching/README.md gives 0.944 / 0.967 on all 90 pairs and their
    # 660 finds (0.856 / 0.911 when this sample, 20 pairs, their twins and 20 unrelated, was
    # drawn; it gave 0.95 / 0.95, 3 wrong, then).
    assert recall_at_1 >= 0.9, ranks
    assert recall_at_5 >= 0.95, ranks
    assert unrelated / len(ranks) <= 1.0


# -- bulk intake: a lost-property office uploads its finds; people's lost reports meet them.


def test_an_office_upload_is_matched_to_the_end(stack: Stack) -> None:
    with httpx.Client(base_url=stack.url("api"), timeout=60) as api:
        owner = reporter(api, "Dana")
        pairs = PAIRS[1:]  # the first pair met in the test above; these are new
        lost_ids = [
            report(api, owner, lost, "dana@example.org", seed=i)
            for i, (lost, _) in enumerate(pairs)
        ]
        wait_enriched(
            api, owner, lost_ids
        )  # people reported their losses before the office's finds
        office = api.post(
            "/offices",
            json={"name": "City lost property", "email": "lost@city.example"},
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        )
        assert office.status_code == 201, office.text
        desk = {"Authorization": f"Bearer {office.json()['token']}"}
        finds = [found for _, found in pairs] + DISTRACTORS[:2]
        rows: list[dict[str, Any]] = []
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as photos:
            for n, found in enumerate(finds):
                row = {"external_ref": f"CITY-{n}", **found.body("lost@city.example")}
                if found.photo_seed is not None:
                    row["photo"] = name = f"{n}.png"
                    png = photo_png(
                        found.photo_seed, found.photo_colour, found.photo_turned, 50 + n
                    )
                    photos.writestr(name, png)
                rows.append({key: value for key, value in row.items() if value is not None})
        rows.append({"external_ref": "CITY-bad", "kind": "found", "title": ""})  # refused
        upload = "\n".join(json.dumps(row) for row in rows).encode()

        def send() -> dict[str, Any]:
            files = {
                "reports": ("finds.jsonl", upload, "application/x-ndjson"),
                "photos": ("photos.zip", archive.getvalue(), "application/zip"),
            }
            response = api.post("/batches", files=files, headers=desk)
            assert response.status_code == 201, response.text
            body: dict[str, Any] = response.json()
            return body

        batch = send()
        assert (batch["rows_accepted"], batch["rows_refused"]) == (len(finds), 1)
        assert batch["refused"][0]["external_ref"] == "CITY-bad"

        def finished() -> dict[str, Any] | None:
            body = api.get(f"/batches/{batch['id']}", headers=desk).json()
            return body["progress"] if body["progress"]["percent"] == 100.0 else None

        progress = wait_for(finished, timeout_s=180)
        assert progress["matched"] == progress["reports"] == len(finds)
        assert progress["suggestions"] >= len(pairs)
        stored = api.get(f"/batches/{batch['id']}/rows", headers=desk).json()["rows"]
        for lost_id, row in zip(lost_ids, stored, strict=False):  # the pairs' finds come first
            matches = api.get(f"/items/{lost_id}/matches", headers=owner).json()
            assert matches and matches[0]["other_item"]["id"] == row["item_id"], lost_id

        # The same file again: nothing new is stored, and there is nothing left to do.
        again = send()
        assert (again["rows_accepted"], again["rows_duplicate"]) == (0, len(finds))
        assert again["progress"]["percent"] == 100.0
