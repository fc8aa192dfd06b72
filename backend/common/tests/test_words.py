"""The words matching details and the claim check compare: every form of a word is one term."""

import pytest

from backend.common.words import content_terms, stem


@pytest.mark.parametrize(
    "forms",
    [
        ["sticker", "stickers"],
        ["engrave", "engraved", "engraving", "engravings"],
        ["shoe", "shoes"],  # was "shoe" and "sho"
        ["glass", "glasses"],  # was "glas" and "glass"
        ["battery", "batteries"],
        ["tape", "taped"],
        ["zip", "zipped", "zipper"],
        ["mud", "muddy"],
        ["watch", "watches"],
        ["key", "keys"],
        ["scratch", "scratched", "scratches"],
        ["knit", "knitted"],
        ["charge", "charger", "chargers", "charging"],
        ["rust", "rusty"],
    ],
)
def test_every_form_of_a_word_is_one_term(forms: list[str]) -> None:
    assert len({stem(form) for form in forms}) == 1, {form: stem(form) for form in forms}


@pytest.mark.parametrize(
    ("one", "other"),
    [("strap", "stripe"), ("heel", "hole"), ("bus", "bag"), ("cat", "cap"), ("key", "keyring")],
)
def test_different_words_stay_apart(one: str, other: str) -> None:
    assert stem(one) != stem(other)


def test_short_words_are_left_whole() -> None:
    # No stem shorter than three letters: "ties" is not "t", "bus" keeps its "s".
    assert [stem(word) for word in ("ties", "tie", "bus", "red", "keys")] == [
        "tie",
        "tie",
        "bus",
        "red",
        "key",
    ]


def test_content_terms_match_across_forms() -> None:
    owner = content_terms("Black shoes, muddy left heel, stickers of cats on the glasses case")
    desk = content_terms("shoe (black) with mud on the heel; a sticker, cat; glass case")
    assert {stem("mud"), stem("heel"), stem("sticker"), stem("cat"), stem("glass")} <= owner & desk
