from collections.abc import Callable

import numpy as np
import pytest

from backend.common.match_record import attribute_masks
from backend.worker.worker.scoring import (
    Candidates,
    Query,
    Refined,
    Scales,
    Weights,
    detail_scores,
    detail_terms,
    finish,
    place_agreement,
    score,
    shortlist,
)

WEIGHTS = Weights(
    text=0.4, image=0.2, attributes=0.1, category=0.1, details=0.15, distance=0.03, time=0.02
)
SCALES = Scales(distance_km=5, time_days=14)


def unit(*values: float) -> np.ndarray:
    vector = np.asarray(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def candidates(n: int, **overrides: np.ndarray) -> Candidates:
    columns = {
        "embeddings": np.tile(unit(1, 0, 0), (n, 1)),
        "masks": np.zeros((n, 2), dtype=np.int64),
        "latitude": np.full(n, 52.37),
        "longitude": np.full(n, 4.89),
        "occurred_days": np.full(n, 20000.0),
        "photo_hint": np.full(n, np.nan),
        "image": np.full(n, np.nan),
        "category": np.full(n, np.nan),
        "place": np.full(n, np.nan),
    }
    columns.update(overrides)
    return Candidates(**columns)


QUERY = Query(
    embedding=unit(1, 0, 0),
    masks=attribute_masks({"colours": ["black"], "brands": ["fossil"]}),
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
            attribute_masks({"colours": ["black"], "brands": ["fossil"]}),
            attribute_masks({"colours": ["red"], "brands": ["fossil"]}),
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


def test_a_place_name_stands_in_for_missing_coordinates() -> None:
    table = candidates(
        3,
        latitude=np.array([np.nan, np.nan, np.nan]),
        place=np.array([1.0, np.nan, 0.6]),
    )
    parts = score(QUERY, table, WEIGHTS, SCALES)
    assert parts["distance"][0] == 1.0
    assert np.isnan(parts["distance"][1])  # unknown: left out, never zero
    assert parts["distance"][2] == 0.6


def test_place_names_agree_or_say_nothing() -> None:
    assert place_agreement("Vondelpark", "the vondelpark") == 1.0
    assert 0.5 < place_agreement("Vondelpark, by the pond", "Vondelpark") < 1.0  # type: ignore[operator]
    assert place_agreement("Amsterdam Centraal", "the central station") is None
    assert place_agreement(None, "Vondelpark") is None


def test_category_compatibility_is_a_component() -> None:
    table = candidates(3, category=np.array([1.0, 0.75, np.nan]))
    parts = score(QUERY, table, WEIGHTS, SCALES)
    assert parts["total"][0] > parts["total"][1]
    assert np.isnan(parts["category"][2])


def test_initials_and_word_forms_are_the_same_detail() -> None:
    assert detail_terms("with my initials J.K. engraved") >= {"jk", "engrav", "initial"}
    assert detail_terms("engraved with the letters JK") >= {"jk", "engrav"}
    assert "the" not in detail_terms("the wallet")


def test_shared_rare_details_pick_the_true_report_among_near_twins() -> None:
    owner = "Black leather wallet with my initials J.K. engraved, lost at the station"
    twins = [
        "Found a black leather wallet at the station, a cat sticker on it",
        "Black leather wallet found at the station, the corner is torn",
        "Found black leather wallet at the station, engraved with the letters JK",
        "Black leather wallet at the station, full of receipts",
    ]
    scores = detail_scores(owner, twins)
    assert int(np.argmax(scores)) == 2
    assert scores[2] > 2 * max(scores[0], scores[1], scores[3])
    assert np.isnan(detail_scores("the a an", twins)).all()
    assert np.isnan(detail_scores(owner, twins[:2])).all()  # too few to tell what is rare


def unrelated_then(n: int, close: list[int]) -> np.ndarray:
    """n embeddings: the rows in `close` near the query's text, the rest far from it."""
    rows = [unit(1, 0.001 * i, 0) if i in close else unit(0, 1, 0.001 * i) for i in range(n)]
    return np.stack(rows)


def both_passes(
    table: Candidates, size: int, photo_size: int, refine: Callable[[np.ndarray], Refined]
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The two passes as the worker runs them: `refine` stands in for the second pass's work."""
    chosen = shortlist(QUERY, table, WEIGHTS, SCALES, size, photo_size)
    return finish(QUERY, table, chosen, refine(chosen), WEIGHTS, SCALES)


def test_the_second_pass_sees_the_shortlist_only() -> None:
    asked: list[np.ndarray] = []

    def refine(chosen: np.ndarray) -> Refined:
        asked.append(chosen)
        k = len(chosen)
        return Refined(np.full(k, np.nan), np.full(k, np.nan), np.full(k, np.nan))

    table = candidates(200, embeddings=unrelated_then(200, close=[7, 50, 120]))
    order, parts = both_passes(table, 3, 0, refine)

    [chosen] = asked
    assert sorted(chosen.tolist()) == [7, 50, 120]  # the best three by the first pass
    assert sorted(order.tolist()) == [7, 50, 120]
    assert list(parts["total"]) == sorted(parts["total"], reverse=True)


def test_a_photo_twin_with_a_poor_text_is_still_checked() -> None:
    hint = np.full(100, np.nan)
    hint[99] = 0.9  # poor text, but its photo descriptor is the closest
    table = candidates(100, embeddings=unrelated_then(100, close=[1, 2]), photo_hint=hint)

    def refine(chosen: np.ndarray) -> Refined:
        image = np.where(chosen == 99, 1.0, np.nan)  # vision: the same object
        k = len(chosen)
        return Refined(np.full(k, np.nan), image, np.full(k, np.nan))

    order, parts = both_passes(table, 2, 1, refine)

    assert set(order.tolist()) == {1, 2, 99}
    assert parts["image"][order.tolist().index(99)] == 1.0


def test_refined_details_decide_among_near_twins() -> None:
    def refine(chosen: np.ndarray) -> Refined:
        details = np.where(chosen == 3, 1.0, 0.0)  # only candidate 3 shares the engraving
        k = len(chosen)
        return Refined(details, np.full(k, np.nan), np.full(k, np.nan))

    table = candidates(5)  # five reports the first pass cannot tell apart
    order, _ = both_passes(table, 5, 0, refine)

    assert order[0] == 3
