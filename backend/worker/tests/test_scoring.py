from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pytest

from backend.common.match_record import attribute_masks
from backend.common.taxonomy import taxonomy
from backend.common.words import content_terms
from backend.worker.worker import scoring
from backend.worker.worker.details import detail_scores, place_agreement
from backend.worker.worker.rules import attribute_terms, detail_text
from backend.worker.worker.scoring import (
    FIRST_PASS,
    SECOND_PASS,
    Candidates,
    Logistic,
    MatchModel,
    Probe,
    Refined,
    Scales,
    features,
    finish,
    match_model,
    photo_evidence,
    photos_to_check,
    shortlist,
    suggested,
)

SCALES = Scales(distance_km=5, time_days=14)
# A hand-set model for the mechanics: text decides, details and the photo break ties.
MODEL = MatchModel(
    first=Logistic(-10.0, {"text": 10.0, "photo": 2.0}, {}),
    final=Logistic(-10.0, {"text": 10.0, "details": 4.0, "photo": 4.0}, {"details": 0.0}),
    threshold=0.01,
    margin=1.0,
)


def unit(*values: float) -> np.ndarray:
    vector = np.asarray(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def candidates(n: int, **overrides: np.ndarray) -> Candidates:
    nans = np.full(n, np.nan)
    columns: dict[str, np.ndarray] = {
        "text": np.ones(n, dtype=np.float32),
        "masks": np.zeros((n, 2), dtype=np.int64),
        "latitude": np.full(n, 52.37),
        "longitude": np.full(n, 4.89),
        "occurred_days": np.full(n, 20000.0),
        "category": nans,
        "contents": nans,
        "identifier": nans,
        "journey": np.zeros(n, dtype=bool),
        "photo_hint": nans,
        "image": nans,
        "details": nans,
        "place": nans,
    }
    columns.update(overrides)
    return Candidates(**columns)


QUERY_TEXT = unit(1, 0, 0)  # the report's embedding: candidates' text cosines are against it
PROBE = Probe(
    masks=attribute_masks({"colours": ["black"], "brands": ["fossil"]}),
    latitude=52.37,
    longitude=4.89,
    occurred_days=20000.0,
    journey=False,
)


def test_similar_text_scores_higher() -> None:
    table = candidates(2, text=np.stack([unit(1, 0.1, 0), unit(0, 1, 0)]) @ QUERY_TEXT)
    parts = features(PROBE, table, SCALES)
    assert parts["text"][0] > 0.9
    assert parts["text"][1] == 0.0


def test_colours_and_brands_agree_disagree_or_say_nothing() -> None:
    masks = np.array(
        [
            attribute_masks({"colours": ["black"], "brands": ["fossil"]}),
            attribute_masks({"colours": ["red"], "brands": ["fossil"]}),
            attribute_masks({}),
        ],
        dtype=np.int64,
    )
    parts = features(PROBE, candidates(3, masks=masks), SCALES)
    assert parts["colour"].tolist()[:2] == [1.0, -1.0]
    assert parts["brand"].tolist()[:2] == [1.0, 1.0]
    assert np.isnan(parts["colour"][2]) and np.isnan(parts["brand"][2])  # unknown, not wrong


def test_two_brands_are_two_objects_and_one_shared_brand_says_little() -> None:
    masks = np.array(
        [
            attribute_masks({"brands": ["fossil"]}),
            attribute_masks({"brands": ["casio"]}),
            attribute_masks({}),
        ],
        dtype=np.int64,
    )
    table = candidates(3, masks=masks)
    parts = features(PROBE, table, SCALES)
    assert parts["brand_conflict"].tolist()[:2] == [0.0, 1.0]
    assert np.isnan(parts["brand_conflict"][2])  # no brand named: no conflict either
    total = match_model().final.probability(
        {**parts, "details": table.details, "place": table.place}
    )
    z = np.log(total / (1 - total))
    assert z[0] > z[2] > z[1]
    # Near-twins share popular brands: agreeing is worth far less than conflicting costs.
    assert z[2] - z[1] > 5 * (z[0] - z[2])


def test_a_declared_colour_set_agrees_with_each_of_its_colours() -> None:
    navy = attribute_masks({"colours": ["blue", "black"]})
    masks = np.array(
        [attribute_masks({"colours": ["black"]}), attribute_masks({"colours": ["blue"]}), navy],
        dtype=np.int64,
    )
    probe = Probe(navy, None, None, 20000.0, False)
    assert features(probe, candidates(3, masks=masks), SCALES)["colour"].tolist() == [1, 1, 1]


def test_distance_and_time_decay_and_a_route_has_no_distance() -> None:
    table = candidates(
        4,
        latitude=np.array([52.37, 52.47, np.nan, 52.37]),  # here, ~11 km north, unknown, here
        occurred_days=np.array([20000.0, 20014.0, 20000.0, 19958.0]),  # 6 weeks before
        journey=np.array([False, False, False, True]),
    )
    parts = features(PROBE, table, SCALES)
    assert parts["distance"][0] == pytest.approx(1.0)
    assert parts["distance"][1] == pytest.approx(np.exp(-11.13 / 5), rel=0.02)
    assert np.isnan(parts["distance"][2])
    assert np.isnan(parts["distance"][3])  # "on the train from A to B": no one point to measure
    assert parts["time"][1] == pytest.approx(np.exp(-1))
    assert parts["time"][3] == pytest.approx(np.exp(-3))  # either order, same decay


def test_a_missing_feature_takes_its_own_weight_not_zero() -> None:
    model = Logistic(0.0, {"distance": 4.0}, {"distance": 2.0})
    p = model.probability({"distance": np.array([1.0, 0.0, np.nan])})
    assert p[0] > p[2] > p[1]
    assert p[2] == pytest.approx(1 / (1 + np.exp(-2.0)))


def test_identifiers_settle_it_either_way() -> None:
    table = candidates(3, identifier=np.array([1.0, 0.0, np.nan]))
    parts = features(PROBE, table, SCALES)
    assert parts["identifier"].tolist()[:2] == [1.0, -1.0]
    fitted = match_model()
    total = fitted.final.probability({**parts, "details": table.details, "place": table.place})
    assert total[0] > total[2] > total[1]


def test_the_fitted_model_weighs_every_feature_and_says_where_it_was_fitted() -> None:
    fitted = match_model()
    assert set(fitted.first.weights) == set(FIRST_PASS)
    assert set(fitted.final.weights) == set(SECOND_PASS)
    assert "tune.json" in fitted.fitted_on  # never the sets it is reported on
    assert 0 < fitted.threshold < 1 and fitted.margin > 0
    # What a fit must have learnt: text and the photo and rare details are evidence for.
    for name in ("text", "photo", "details"):
        assert fitted.final.weights[name] > 0, name
    assert fitted.final.weights["brand_conflict"] < 0


def test_a_refit_is_a_new_model_id_and_the_same_fit_the_same_id() -> None:
    # The sweep matches reports again when the id they were matched by is not the worker's.
    fitted = match_model()
    assert MatchModel.from_json(fitted.to_json()).id == fitted.id
    moved = replace(fitted, final=replace(fitted.final, bias=fitted.final.bias + 0.01))
    assert moved.id != fitted.id
    assert replace(fitted, margin=fitted.margin + 0.5).id != fitted.id
    assert MODEL.id != fitted.id


def test_features_read_another_way_are_a_new_model_id(monkeypatch: pytest.MonkeyPatch) -> None:
    fitted = match_model()
    before = MatchModel.from_json(fitted.to_json()).id
    monkeypatch.setattr(scoring, "FEATURES_VERSION", scoring.FEATURES_VERSION + 1)
    assert MatchModel.from_json(fitted.to_json()).id != before


def test_place_names_agree_or_say_nothing() -> None:
    assert place_agreement(["Vondelpark"], ["the vondelpark"]) == 1.0
    value = place_agreement(["Vondelpark, by the pond"], ["Vondelpark"])
    assert value is not None and 0.5 < value < 1.0
    assert place_agreement(["Amsterdam Centraal"], ["the central station"]) is None
    assert place_agreement([], ["Vondelpark"]) is None
    # A journey names both ends: the desk at either end agrees.
    assert place_agreement(["Utrecht Centraal", "Amsterdam Centraal"], ["Amsterdam"]) is not None


def test_suggestions_are_the_near_best_above_the_threshold() -> None:
    assert suggested(np.array([0.9, 0.85, 0.2, 0.19]), MODEL, 5) == 2  # 0.2 is far below
    assert suggested(np.array([0.9, 0.85, 0.8]), MODEL, 2) == 2  # at most `most`
    assert suggested(np.array([0.005, 0.004]), MODEL, 5) == 0  # under the threshold
    assert suggested(np.array([]), MODEL, 5) == 0


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


def test_the_owners_word_for_the_object_is_not_a_detail() -> None:
    """A twin that calls it a "computer", as its owner did, is not the owner's for that: the
    kind, colour and brand have features of their own; the dented corner identifies."""
    vocabulary = taxonomy()
    owner = "Brown Apple computer. Lost my brown computer, a dented corner and a missing key."
    finds = [
        "Brown computer found. Brown computer, Apple, a sticker of a cat.",
        "Bruin laptop afgegeven bij de balie, met een deuk en een oplader.",
        "Brown notebook found, Apple, a cracked screen.",
    ]
    texts = [detail_text(find, "", vocabulary) for find in finds]
    own = detail_text(owner, "", vocabulary)
    assert int(np.argmax(detail_scores(own, texts))) == 0  # the owner's words win ...
    said = attribute_terms(
        {"categories": ["laptop"], "colours": ["brown"], "brands": ["apple"]}, vocabulary
    )
    assert content_terms("computer laptop notebook brown apple") <= said
    assert not content_terms("dented corner") & said
    assert int(np.argmax(detail_scores(own, texts, said))) == 1  # ... unless left out


def test_what_a_bag_held_stays_a_detail() -> None:
    """The book in the owner's bag is no kind of bag: no feature compares it, so a find that
    held a novel is told from twins that held other things (only the bag's own words are left
    out)."""
    vocabulary = taxonomy()
    owner = "Black tote bag with a make-up pouch and a book inside."
    finds = [
        "Black shopper bag found, cosmetics bag and a novel inside.",
        "Black tote bag found, a sticker of a football club.",
        "Black tote bag found, a company logo printed on it.",
    ]
    said = attribute_terms({"categories": ["bag", "book"], "colours": ["black"]}, vocabulary)
    assert content_terms("bag black") <= said
    assert not content_terms("book") & said
    scores = detail_scores(owner, finds, said)
    assert int(np.argmax(scores)) == 0 and scores[0] > 0


def test_a_detail_misspelt_on_one_side_is_still_shared() -> None:
    owner = "blue backpack, a dinosaur sticker on the front pocket"
    twins = [
        "blue backpack found, a dinosuar stciker on the front",
        "blue backpack found, the zip is broken",
        "blue backpack found, name tag inside",
    ]
    assert int(np.argmax(detail_scores(owner, twins))) == 0


def unrelated_then(n: int, close: list[int]) -> np.ndarray:
    """n candidates' text cosines: those in `close` near the report's text, the rest far."""
    rows = [unit(1, 0.001 * i, 0) if i in close else unit(0, 1, 0.001 * i) for i in range(n)]
    return np.stack(rows) @ QUERY_TEXT


def both_passes(
    table: Candidates, size: int, photo_size: int, refine: Callable[[np.ndarray], Refined]
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The two passes as the worker runs them, the candidates' indices best first: `refine`
    stands in for the second pass's work."""
    chosen = shortlist(PROBE, table, MODEL, SCALES, size, photo_size)
    order, parts = finish(PROBE, table, chosen, refine(chosen), MODEL, SCALES)
    return chosen[order], parts


def nothing_learnt(chosen: np.ndarray) -> Refined:
    k = len(chosen)
    return Refined(np.full(k, np.nan), np.full(k, np.nan), np.full(k, np.nan))


def test_the_second_pass_sees_the_shortlist_only() -> None:
    asked: list[np.ndarray] = []

    def refine(chosen: np.ndarray) -> Refined:
        asked.append(chosen)
        return nothing_learnt(chosen)

    table = candidates(200, text=unrelated_then(200, close=[7, 50, 120]))
    order, parts = both_passes(table, 3, 0, refine)

    [chosen] = asked
    assert sorted(chosen.tolist()) == [7, 50, 120]  # the best three by the first pass
    assert sorted(order.tolist()) == [7, 50, 120]
    assert list(parts["total"]) == sorted(parts["total"], reverse=True)


def test_a_photo_twin_with_a_poor_text_is_still_checked() -> None:
    hint = np.full(100, np.nan)
    hint[99] = 0.9  # poor text, but its photo descriptor is the closest
    table = candidates(100, text=unrelated_then(100, close=[1, 2]), photo_hint=hint)

    def refine(chosen: np.ndarray) -> Refined:
        refined = nothing_learnt(chosen)
        return Refined(refined.details, np.where(chosen == 99, 1.0, np.nan), refined.place)

    order, parts = both_passes(table, 2, 1, refine)

    assert set(order.tolist()) == {1, 2, 99}
    assert parts["photo"][order.tolist().index(99)] == 1.0


def test_refined_details_decide_among_near_twins() -> None:
    def refine(chosen: np.ndarray) -> Refined:
        refined = nothing_learnt(chosen)
        return Refined(np.where(chosen == 3, 1.0, 0.0), refined.image, refined.place)

    order, _ = both_passes(candidates(5), 5, 0, refine)  # five the first pass cannot tell apart

    assert order[0] == 3


def test_a_containers_colour_is_not_the_colour_of_what_it_held() -> None:
    """The probe is a black bag. Finds 0-2 are things it held: their colour is compared with
    what the bag's text says of each (silver, nothing, silver), not with the bag's black; find
    3 is another bag, compared as before."""
    silver, black = (attribute_masks({"colours": [c]})[0] for c in ("silver", "black"))
    table = candidates(
        4,
        masks=np.array([[silver, 0], [silver, 0], [black, 0], [silver, 0]], dtype=np.int64),
        contents=np.array([1.0, 1.0, 1.0, 0.0]),
    )
    chosen = np.arange(4)
    refined = replace(
        nothing_learnt(chosen),
        held_colours=np.array([silver, 0, silver, 0], dtype=np.int64),
        holder_is_probe=np.array([True, True, True, False]),
    )

    order, parts = finish(PROBE, table, chosen, refined, MODEL, SCALES)
    colour = dict(zip(order.tolist(), parts["colour"].tolist(), strict=True))

    assert colour[0] == 1.0  # silver, as the bag says; the bag's black would disagree
    assert np.isnan(colour[1])  # the bag says no colour of it
    assert colour[2] == -1.0  # black, where the bag says silver
    assert colour[3] == -1.0  # another bag: its silver against the probe's black
    # The other way round: the probe is what a candidate bag held.
    other = replace(refined, holder_is_probe=np.zeros(4, dtype=bool))
    order, parts = finish(PROBE, table, chosen, other, MODEL, SCALES)
    assert dict(zip(order.tolist(), parts["colour"].tolist(), strict=True))[0] == -1.0


def test_a_photo_counts_as_far_as_no_other_find_looks_as_alike() -> None:
    # Three finds of one make and colour photograph alike; a fourth was handed in without one.
    look_alikes = photo_evidence(np.array([0.8, 0.8, 0.8, np.nan]))
    assert look_alikes[:3] == pytest.approx([0.0, 0.0, 0.0])
    assert np.isnan(look_alikes[3])
    # The most alike keeps what it has over the next; the next says nothing; unlike stays unlike.
    assert photo_evidence(np.array([0.9, 0.5, -0.6])) == pytest.approx([0.4, 0.0, -0.6])
    # Alone alike among unlike photos, or alone with a photo: in full.
    assert photo_evidence(np.array([0.8, -0.5, -0.2])) == pytest.approx([0.8, -0.5, -0.2])
    assert photo_evidence(np.array([0.8, np.nan]))[0] == 0.8


def test_the_owners_details_beat_look_alikes_whose_photos_match_as_well() -> None:
    # Finds 0-2 look just like the owner's photo; find 3, without a photo, has the details.
    def refine(chosen: np.ndarray) -> Refined:
        refined = nothing_learnt(chosen)
        image = np.where(chosen == 3, np.nan, 0.95)
        return Refined(np.where(chosen == 3, 0.8, 0.1), image, refined.place)

    order, parts = both_passes(candidates(4), 4, 0, refine)

    assert order[0] == 3
    assert parts["photo_alike"][~np.isnan(parts["photo_alike"])] == pytest.approx(0.9)


def test_vision_checks_the_photo_in_contention_whatever_its_descriptor_says() -> None:
    # The owner's object photographed at another angle: its descriptor (a perceptual hash) is
    # far, while near-twins of the owner's stock photo are close; its text puts it first.
    n = 8
    hints = np.array([0.10, 0.95, 0.94, 0.93, 0.92, np.nan, 0.91, 0.90])
    table = candidates(n, text=unrelated_then(n, close=[0]), photo_hint=hints)
    chosen = shortlist(PROBE, table, MODEL, SCALES, size=n, photo_size=0)
    assert chosen[0] == 0  # the shortlist comes best first by the first pass
    by_descriptor = [1, 2, 3]

    picked = chosen[photos_to_check(table.photo_hint[chosen], most=3)]

    assert 0 in picked  # the one in contention is checked
    assert {1, 2} <= set(picked)  # and the most alike by descriptor, in turn
    assert len(picked) == 3 and len(set(picked)) == 3
    assert 5 not in chosen[photos_to_check(table.photo_hint[chosen], most=n)]  # no photo
    assert list(photos_to_check(hints, most=0)) == []
    assert set(by_descriptor) != set(picked)  # what the descriptor alone would have checked


def test_the_shortlist_comes_best_first_by_the_first_pass_photo_twins_included() -> None:
    n = 200
    text = unrelated_then(n, close=[7, 50, 120])
    hints = np.full(n, np.nan)
    hints[[3, 150]] = [0.9, 0.99]  # photo twins with poor texts
    table = candidates(n, text=text, photo_hint=hints)
    with np.errstate(invalid="ignore"):
        first = MODEL.first.probability(features(PROBE, table, SCALES))

    chosen = shortlist(PROBE, table, MODEL, SCALES, size=3, photo_size=2)

    assert set(chosen.tolist()) == {7, 50, 120, 3, 150}
    assert list(first[chosen]) == sorted(first[chosen], reverse=True)
