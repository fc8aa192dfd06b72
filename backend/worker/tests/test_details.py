"""Details said in other words: the packaged word vectors (backend/worker/word_vectors) and where
details.py draws the line between one detail and two."""

from __future__ import annotations

import numpy as np
import pytest

from backend.common.taxonomy import taxonomy
from backend.worker.worker.details import (
    SAME_MEANING,
    WordVectors,
    detail_scores,
    packaged_word_vectors,
)

# Words that tell two objects apart, though a reader sees they are alike: a near-twin's detail
# must never pass for the owner's. Colours, numbers, sides, times and kin have no vector at all
# (export_word_vectors.ONE_VALUE_OF); the rest must stay a margin under SAME_MEANING.
DIFFERENT = [
    ("red", "blue"),
    ("black", "white"),
    ("gold", "silver"),
    ("two", "three"),
    ("first", "second"),
    ("right", "left"),
    ("top", "bottom"),
    ("monday", "tuesday"),
    ("morning", "evening"),
    ("husband", "wife"),
    ("boy", "girl"),
    ("dog", "cat"),
    ("cat", "panda"),
    ("lion", "tiger"),
    ("owl", "fox"),
    ("shark", "dolphin"),
    ("leather", "nylon"),
    ("leather", "canvas"),
    ("plastic", "metal"),
    ("wood", "metal"),
    ("cotton", "wool"),
    ("stripe", "dot"),
    ("star", "heart"),
    ("zip", "button"),
    ("charm", "badge"),
    ("scratch", "crack"),
    ("card", "coin"),
    ("receipt", "ticket"),
    ("football", "tennis"),
    ("guitar", "violin"),
    ("pencil", "pen"),
    ("hood", "collar"),
    ("pocket", "sleeve"),
    ("king", "queen"),
    ("rocket", "plane"),
    ("paris", "london"),
]
# One thing, said two ways: the vectors must bridge them.
SAME = [
    ("photo", "picture"),
    ("floral", "flower"),
    ("bike", "bicycle"),
    ("trousers", "pants"),
    ("sofa", "couch"),
    ("kid", "child"),
    ("car", "vehicle"),
]
MARGIN = 0.05


def closeness(vectors: WordVectors, a: str, b: str) -> float | None:
    if a not in vectors.rows or b not in vectors.rows:
        return None
    pair = vectors.of([a, b])
    return float(pair[0] @ pair[1])


def test_words_that_tell_objects_apart_are_never_one_detail() -> None:
    vectors = packaged_word_vectors()
    close = {pair: closeness(vectors, *pair) for pair in DIFFERENT}
    too_close = {
        pair: c for pair, c in close.items() if c is not None and c >= SAME_MEANING - MARGIN
    }
    assert not too_close
    # The line is the least 0.05 step a margin above them, and no higher: it would leave out
    # what one thing said two ways shares.
    highest = max(c for c in close.values() if c is not None)
    assert highest > SAME_MEANING - MARGIN - 0.05


def test_one_thing_said_two_ways_is_one_detail() -> None:
    vectors = packaged_word_vectors()
    assert all((closeness(vectors, *pair) or 0.0) >= SAME_MEANING for pair in SAME)


def test_colour_words_have_no_vector() -> None:
    """A colour word not the object's own ("a red tag") is a detail; another colour never
    stands for it."""
    colours = taxonomy().words_of("COLOUR")
    assert colours
    assert not colours & set(packaged_word_vectors().rows)


def test_the_packaged_vectors_are_unit_vectors_of_whole_words() -> None:
    vectors = packaged_word_vectors()
    assert len(vectors.rows) > 20_000
    norms = np.linalg.norm(vectors.vectors.astype(np.float32), axis=1)
    assert np.allclose(norms, 1.0, atol=2e-3)
    assert {"wallet", "engraved", "picture"} <= set(vectors.rows)
    assert not {"the", "lost", "found", "7"} & set(vectors.rows)


def test_a_detail_in_other_words_picks_the_owners_report_among_near_twins() -> None:
    owner = "Blue reading glasses in a floral case, a photo of my cat tucked inside"
    finds = [
        "Blue glasses found in a striped case",
        "Blue glasses, leather case, a photo of a dog inside",
        "Blue glasses found, flower pattern on the pouch, cat picture inside",
        "Blue glasses in a hard case, one arm loose",
    ]
    exact_only = WordVectors({}, np.zeros((0, 384), dtype=np.float16))
    by_words = detail_scores(owner, finds, vectors=exact_only)
    by_meaning = detail_scores(owner, finds)
    assert int(np.argmax(by_words)) != 2  # the same words alone: a twin's "case", "photo" win
    assert int(np.argmax(by_meaning)) == 2
    assert by_meaning[2] > 1.5 * np.delete(by_meaning, 2).max()
    # What is shared word for word counts as before.
    assert by_meaning[[0, 1, 3]] == pytest.approx(by_words[[0, 1, 3]])


def test_a_twins_other_colour_or_number_is_not_the_owners() -> None:
    owner = "Black wallet, a red tag and two keys on the ring"
    finds = [
        "Black wallet found, a blue tag, three keys on the ring",
        "Black wallet found, zip broken",
        "Black wallet found, receipts inside",
    ]
    exact_only = WordVectors({}, np.zeros((0, 384), dtype=np.float16))
    assert detail_scores(owner, finds) == pytest.approx(
        detail_scores(owner, finds, vectors=exact_only)
    )


@pytest.mark.parametrize(
    ("owner", "truth"),
    [
        (
            "Yellow backpack with a lunchbox and a keyring inside",
            "Yellow backpack, lunch box and key ring",
        ),
        (
            "Yellow backpack with a lunch box and a key-ring inside",
            "Yellow backpack, lunchbox, keyring",
        ),
    ],
)
def test_a_compound_written_open_by_one_and_closed_by_the_other_is_one_detail(
    owner: str, truth: str
) -> None:
    finds = [
        "Yellow backpack found, a water bottle and a pencil case inside",
        truth,
        "Yellow backpack found, a box of pens and a ring binder",
        "Yellow backpack, a sticker of a fox on the front",
    ]
    scores = detail_scores(owner, finds)
    assert int(np.argmax(scores)) == 1
    assert scores[1] > 1.5 * np.delete(scores, 1).max()


@pytest.mark.parametrize(
    "truth",
    [
        "There is a red umbrella handed in at the desk. Strap with popper.",
        "Red umbrella brought to reception by staff, strap with popper",
    ],
)
def test_how_a_find_was_handed_in_is_no_detail(truth: str) -> None:
    # A desk's words for how a report came in describe no object; counted, they made the find
    # that shares the owner's strap and popper weigh less than a twin that shares the strap.
    owner = "Red folding umbrella, a strap with a popper and a hole near the tip"
    twins = [
        "Red folding umbrella found, a company logo on it",
        "Red umbrella found, handle shaped like a duck",
        "Red folding umbrella found, a strap",
    ]
    scores = detail_scores(owner, [truth, *twins])
    plain = detail_scores(owner, ["Red umbrella, strap with popper", *twins])
    assert scores == pytest.approx(plain)
    assert int(np.argmax(scores)) == 0


def test_a_detail_the_other_report_denies_counts_against() -> None:
    """A near-twin's "no case" shares the word "case" with an owner's "in a pink case": read as
    words, it was a shared detail, and the twin that says it has none came before the find that
    says nothing of a case."""
    owner = "Black iPhone in a pink case, cracked screen"
    finds = [
        "Black iPhone found, no case, cracked screen",
        "Black iPhone found, cracked screen",
        "Black iPhone found, a sticker of a cat on the back",
        "Black iPhone found, screen fine",
    ]
    scores = detail_scores(owner, finds)
    assert scores[1] > scores[0]
    assert scores[0] < detail_scores(owner, ["Black iPhone found, cracked screen", *finds[1:]])[0]
    # Denied on both sides is a detail they share.
    both = detail_scores("Black iPhone, no case, cracked screen", finds)
    assert int(np.argmax(both)) == 0
