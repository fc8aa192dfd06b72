import numpy as np
import pytest

from backend.worker.worker.scoring import (
    Candidates,
    Query,
    Scales,
    Weights,
    attribute_mask,
    attribute_masks,
    score,
)

WEIGHTS = Weights(text=0.45, image=0.25, attributes=0.2, distance=0.06, time=0.04)
SCALES = Scales(distance_km=5, time_days=14)


def unit(*values: float) -> np.ndarray:
    vector = np.asarray(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def candidates(n: int, **overrides: np.ndarray) -> Candidates:
    columns = {
        "embeddings": np.tile(unit(1, 0, 0), (n, 1)),
        "masks": np.zeros((n, 3), dtype=np.int64),
        "latitude": np.full(n, 52.37),
        "longitude": np.full(n, 4.89),
        "occurred_days": np.full(n, 20000.0),
        "image": np.full(n, np.nan),
    }
    columns.update(overrides)
    return Candidates(**columns)


QUERY = Query(
    embedding=unit(1, 0, 0),
    masks=attribute_masks({"colours": ["black"], "categories": ["wallet"]}),
    latitude=52.37,
    longitude=4.89,
    occurred_days=20000.0,
)


def test_similar_text_scores_higher() -> None:
    table = candidates(2, embeddings=np.stack([unit(1, 0.1, 0), unit(0, 1, 0)]))
    parts = score(QUERY, table, WEIGHTS, SCALES)
    assert parts["text"][0] > 0.9
    assert parts["text"][1] == 0.0
    assert parts["total"][0] > parts["total"][1]


def test_attributes_agree_disagree_or_are_unknown() -> None:
    masks = np.array(
        [
            attribute_masks({"colours": ["black"], "categories": ["wallet"]}),
            attribute_masks({"colours": ["red"], "categories": ["wallet"]}),
            attribute_masks({}),
        ],
        dtype=np.int64,
    )
    parts = score(QUERY, candidates(3, masks=masks), WEIGHTS, SCALES)
    assert parts["attributes"][0] == 1.0
    assert parts["attributes"][1] == 0.5
    assert np.isnan(parts["attributes"][2])  # nothing to compare: left out, not zero


def test_distance_and_time_decay() -> None:
    table = candidates(
        3,
        latitude=np.array([52.37, 52.47, np.nan]),  # here, ~11 km north, unknown
        occurred_days=np.array([20000.0, 20014.0, 20000.0]),
    )
    parts = score(QUERY, table, WEIGHTS, SCALES)
    assert parts["distance"][0] == pytest.approx(1.0)
    assert parts["distance"][1] == pytest.approx(np.exp(-11.13 / 5), rel=0.02)
    assert np.isnan(parts["distance"][2])
    assert parts["time"][1] == pytest.approx(np.exp(-1))


def test_missing_components_renormalise_the_weights() -> None:
    # Same text and attributes; one candidate has a matching photo, one has none at all.
    table = candidates(2, image=np.array([1.0, np.nan]))
    parts = score(QUERY, table, WEIGHTS, SCALES)
    assert 0 < parts["total"][1] <= 1
    assert parts["total"][0] >= parts["total"][1]
    assert np.all((parts["total"] >= 0) & (parts["total"] <= 1))


def test_attribute_mask_ignores_case_and_space() -> None:
    assert attribute_mask([" Black"]) == attribute_mask(["black"]) != 0
    assert attribute_mask([]) == 0
