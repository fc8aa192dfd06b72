"""The words matching details and the claim check compare: every form of a word is one term."""

import pytest

from backend.common.words import compounds, content_terms, negated_terms, stem


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


def test_a_compound_written_open_or_hyphenated_is_read_as_written_closed() -> None:
    found = compounds("Yellow backpack, a lunch box and a key-ring inside; make-up bag")
    assert found[stem("lunchbox")] == {stem("lunch"), stem("box")}
    assert found[stem("keyring")] == {stem("key"), stem("ring")}
    assert found[stem("makeup")] == {stem("make")}  # "up" identifies nothing on its own
    assert stem("lunchbox") in content_terms("a lunchbox inside")


def test_words_apart_across_a_function_word_or_a_sentence_are_no_compound() -> None:
    found = compounds("Found a lunch. Box of pens, the keys and a ring")
    assert stem("alunch") not in found  # "a lunch"
    assert stem("lunchbox") not in found  # a full stop between them
    assert stem("andaring") not in found and stem("keysand") not in found
    # Letters whose case-folded form is longer ("ß" → "ss") keep the words where they are.
    assert stem("strasseschild") in compounds("Straße schild")


@pytest.mark.parametrize(
    ("text", "denied"),
    [
        ("Silver MacBook Pro, no stickers, in a grey sleeve", {"stick"}),
        ("Black parka, hood without fur", {"fur"}),
        ("in no case.", {"cas"}),
        ("WLT BLK - BANK CARDS X2, NO ID", {"id"}),
        ("without a bag", {"bag"}),
        ("not the one I lost", set()),  # a function word is no detail
        ("No. 5 bus, no, it is", set()),  # punctuation ends what a "no" denies
        ("no 12 bus", set()),  # nor is a number
        ("no-name trainers", set()),  # a word of its own
        ("one earbud missing", set()),  # a part missing is a detail the object has
    ],
)
def test_what_a_text_says_is_not_there(text: str, denied: set[str]) -> None:
    assert negated_terms(text) == denied
