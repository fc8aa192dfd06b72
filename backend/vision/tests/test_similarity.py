"""The same object, photographed differently, must beat every other object."""

from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from backend.vision.tests import synthetic

# (drawing seed, colour): seeds 0 and 1 also appear in a second colour, the hard case.
OBJECTS = [
    (0, "red"),
    (0, "blue"),
    (1, "green"),
    (1, "yellow"),
    (2, "purple"),
    (3, "orange"),
    (4, "teal"),
    (5, "brown"),
    (6, "red"),
    (7, "blue"),
]


def features(client: TestClient, image: np.ndarray, quality: int = 90) -> dict[str, Any]:
    response = client.post(
        "/features",
        files={"file": ("x.jpg", synthetic.encode(image, quality=quality), "image/jpeg")},
    )
    assert response.status_code == 200, response.text
    record: dict[str, Any] = response.json()
    return record


@pytest.fixture(scope="module")
def photos() -> dict[tuple[int, str], np.ndarray]:
    return {
        key: synthetic.photo(key[0], key[1], background_seed=index)
        for index, key in enumerate(OBJECTS)
    }


@pytest.fixture(scope="module")
def references(
    client: TestClient, photos: dict[tuple[int, str], np.ndarray]
) -> list[dict[str, Any]]:
    return [features(client, photos[key]) for key in OBJECTS]


def scores(
    client: TestClient, record: dict[str, Any], candidates: list[dict[str, Any]]
) -> list[float]:
    response = client.post("/similarity", json={"a": record, "candidates": candidates})
    assert response.status_code == 200, response.text
    return [result["score"] for result in response.json()["results"]]


@pytest.mark.parametrize("transform", sorted(synthetic.TRANSFORMS))
def test_transformed_copy_scores_above_every_other_object(
    client: TestClient,
    photos: dict[tuple[int, str], np.ndarray],
    references: list[dict[str, Any]],
    transform: str,
) -> None:
    for index, key in enumerate(OBJECTS):
        copy = features(client, synthetic.TRANSFORMS[transform](photos[key]), quality=80)
        result = scores(client, copy, references)
        own = result[index]
        best_other = max(score for i, score in enumerate(result) if i != index)
        assert own > best_other, f"{key} after {transform}: own {own} <= other {best_other}"


def test_same_shape_in_another_colour_is_another_object(
    client: TestClient, references: list[dict[str, Any]]
) -> None:
    red_bag, blue_bag = references[0], references[1]
    response = client.post("/similarity", json={"a": red_bag, "b": blue_bag})

    body = response.json()
    # Geometry alone says "same"; colour says "different", and wins.
    assert body["components"]["geometric"] > 0.5
    assert body["components"]["colour"] < 0.5
    assert body["score"] < 0.5


def test_the_floor_it_lies_on_does_not_decide_its_colour(
    client: TestClient, references: list[dict[str, Any]]
) -> None:
    """The owner photographs a bag at home, the desk on its counter: each object on two other
    floors still agrees in colour with itself, and better than with its twin in another colour
    on the floor of its first photo. (Counted in, the floor decided the colour score.)"""
    for index, (seed, colour) in enumerate(OBJECTS[:2]):
        elsewhere = features(client, synthetic.photo(seed, colour, background_seed=100 + index))
        same, twin = scores(client, elsewhere, [references[index], references[1 - index]])
        body = client.post("/similarity", json={"a": elsewhere, "b": references[index]}).json()
        assert body["components"]["colour"] >= 0.9, (seed, colour, body["components"])
        assert same > twin


@pytest.mark.parametrize("quality", [95, 70])
def test_near_duplicates_score_at_least_0_9(
    client: TestClient,
    photos: dict[tuple[int, str], np.ndarray],
    references: list[dict[str, Any]],
    quality: int,
) -> None:
    for index, key in enumerate(OBJECTS):
        recompressed = features(client, photos[key], quality=quality)
        [score] = scores(client, recompressed, [references[index]])
        assert score >= 0.9, f"{key} at JPEG quality {quality}: {score}"


def test_compare_two_images_gives_the_same_answer(
    client: TestClient, photos: dict[tuple[int, str], np.ndarray], references: list[dict[str, Any]]
) -> None:
    first, second = photos[OBJECTS[2]], synthetic.rotate(photos[OBJECTS[2]], 25)
    response = client.post(
        "/compare",
        files={
            "a": ("a.jpg", synthetic.encode(first), "image/jpeg"),
            "b": ("b.jpg", synthetic.encode(second, quality=80), "image/jpeg"),
        },
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert 0.0 <= body["score"] <= 1.0
    assert set(body["components"]) == {"geometric", "inliers", "colour", "hash"}
    via_records = scores(client, features(client, second, quality=80), [references[2]])[0]
    assert body["score"] == pytest.approx(via_records, abs=1e-6)


def test_colour_is_opencv_s_bhattacharyya(references: list[dict[str, Any]]) -> None:
    # One formula (backend/common/photo_similarity.py) in vision and the worker's first pass.
    import cv2

    from backend.vision.server.features import colour_similarity, parse_record

    parsed = [parse_record(record) for record in references]
    for a in parsed:
        for b in parsed[:4]:
            opencv = 1.0 - cv2.compareHist(a.hist, b.hist, cv2.HISTCMP_BHATTACHARYYA)
            assert colour_similarity(a, b) == pytest.approx(max(0.0, opencv), abs=1e-6)


@pytest.mark.parametrize("transform", sorted(synthetic.TRANSFORMS))
def test_the_compact_descriptor_keeps_the_same_object_on_the_photo_shortlist(
    client: TestClient,
    photos: dict[tuple[int, str], np.ndarray],
    references: list[dict[str, Any]],
    transform: str,
) -> None:
    # The worker ranks candidates' photos by descriptor (72 bytes) without calling vision,
    # then asks vision about its photo shortlist (PHOTO_SHORTLIST, default 5).
    from backend.common.photo_similarity import descriptor_of, descriptor_scores

    described = [descriptor_of(record) for record in references]
    phashes = np.array([phash for phash, _ in described], dtype=np.uint64)
    colours = np.array([np.frombuffer(colour, np.uint8) for _, colour in described])
    for index, key in enumerate(OBJECTS):
        copy = features(client, synthetic.TRANSFORMS[transform](photos[key]), quality=80)
        phash, colour = descriptor_of(copy)
        scores = descriptor_scores(phash, np.frombuffer(colour, np.uint8), phashes, colours)
        ranking = np.argsort(-scores)
        assert index in ranking[:5].tolist(), f"{key} after {transform}: {ranking.tolist()}"
