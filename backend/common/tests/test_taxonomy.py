from pathlib import Path

import pytest

from backend.common.taxonomy import (
    BROADER_OR_NARROWER,
    SAME,
    SIBLINGS,
    load_taxonomy,
    taxonomy,
)


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("Keys", ["keys"]),
        ("key", ["keys"]),
        ("Rucksack", ["backpack"]),
        ("rucksacks", ["backpack"]),
        ("Card holder", ["wallet"]),
        ("smartphones", ["phone"]),
        ("spectacles", ["glasses"]),
        ("Jacket", ["coat"]),
        ("earbuds", ["headphones"]),
        ("EarPods", ["headphones"]),
        ("memory stick", ["usb stick"]),  # what desks hold by the hundred
        ("USB-stick", ["usb stick"]),
        ("geheugenstick", ["usb stick"]),
        ("brollies", ["umbrella"]),  # a plural the file does not list
        ("Electronics", ["electronics"]),
        ("my rucksack with a cat sticker", ["backpack", "cat"]),
        ("thing", []),
        ("", []),
        (None, []),
    ],
)
def test_typed_categories_become_canonical(typed: str | None, canonical: list[str]) -> None:
    assert taxonomy().canonical("CATEGORY", typed) == canonical


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("gray", ["grey"]),
        ("Charcoal", ["grey", "black"]),  # a declared set: between two, both count
        ("navy blue", ["blue", "black"]),
        ("tan", ["brown"]),
        ("lilac", ["purple", "pink"]),
        ("zwarte", ["black"]),  # Dutch
        ("donkerblauw", ["blue", "black"]),
        ("off-white", ["white"]),
        ("metallic", ["grey"]),
    ],
)
def test_shades_and_spellings_become_canonical_colours(typed: str, canonical: list[str]) -> None:
    assert taxonomy().canonical("COLOUR", typed) == canonical


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("Yellow Fjällräven Kånken with a fox logo", ["fjallraven"]),  # accented letters
        ("Hermès scarf, orange box", ["hermes"]),
        ("black nylon Longchamp shopper", ["longchamp"]),
        ("Levi's denim jacket", ["levi's"]),
        ("a Bose headset and a Samsonite case", ["bose", "samsonite"]),
        ("a brown leather wallet", []),
        ("NORTHFACE JAS", ["north face"]),  # a brand of two words written as one
        ("thenorthface backpack", ["north face"]),
        ("ralphlauren polo", ["ralph lauren"]),
    ],
)
def test_brands_are_read_from_the_text(text: str, canonical: list[str]) -> None:
    assert taxonomy().canonical("BRAND", text) == canonical


def test_category_compatibility() -> None:
    vocabulary = taxonomy()
    assert vocabulary.category_compatibility("keys", "keys") == SAME
    assert vocabulary.category_compatibility("bag", "backpack") == BROADER_OR_NARROWER
    assert vocabulary.category_compatibility("jewellery", "watch") == BROADER_OR_NARROWER
    assert vocabulary.category_compatibility("backpack", "handbag") == SIBLINGS
    assert vocabulary.category_compatibility("dog", "laptop") == 0.0
    assert vocabulary.category_compatibility("phone", None) is None
    assert vocabulary.category_compatibility("phone", "misc") is None
    assert vocabulary.group("phone") == vocabulary.group("electronics") == "electronics"
    assert vocabulary.group("unknown") is None


def test_a_row_with_an_unknown_broader_category_is_refused(tmp_path: Path) -> None:
    terms = tmp_path / "terms.csv"
    terms.write_text("label,canonical,broader,synonyms\nCATEGORY,scooter,vehicle,scooter\n")
    with pytest.raises(ValueError, match="vehicle"):
        load_taxonomy(terms)


def test_a_row_without_a_label_is_refused(tmp_path: Path) -> None:
    terms = tmp_path / "terms.csv"
    terms.write_text("label,canonical,broader,synonyms\nTHING,scooter,,scooter\n")
    with pytest.raises(ValueError, match="terms.csv:2"):
        load_taxonomy(terms)


def test_a_row_naming_a_brand_written_as_one_word_keeps_it(tmp_path: Path) -> None:
    terms = tmp_path / "terms.csv"
    terms.write_text(
        "label,canonical,broader,synonyms\n"
        "BRAND,north face,,north face\n"
        "BRAND,northface outlet,,northface\n"  # a later row: the word is its own
    )
    vocabulary = load_taxonomy(terms)
    assert vocabulary.canonical("BRAND", "NORTHFACE") == ["northface outlet"]
    assert vocabulary.canonical("BRAND", "a north face jacket") == ["north face"]


def test_the_nlp_tagger_gets_one_pattern_per_phrase() -> None:
    patterns = taxonomy().patterns()
    phrases = [p["pattern"] for p in patterns]
    assert len(phrases) == len(set(phrases))
    assert {"label": "CATEGORY", "pattern": "rucksack", "id": "backpack"} in patterns


def test_the_words_of_a_label_are_those_of_its_phrases() -> None:
    colours = taxonomy().words_of("COLOUR")
    assert {"navy", "zwart", "off", "white", "dark"} <= colours  # "off white" gives two words
    assert not {"wallet", "apple"} & colours
    assert "wallet" in taxonomy().words_of("CATEGORY")


def test_an_ampersand_is_read_as_and() -> None:
    """A typed "M&S" or a text's "H&M" is the brand the CSV writes with "and"; the words and
    the clause pieces of a text agree on it."""
    terms = taxonomy()
    assert terms.canonical("BRAND", "M&S") == terms.canonical("BRAND", "Marks and Spencer")
    assert terms.canonical("BRAND", "a coat from H&M") == ["h and m"]
    text = "Coat from M&S, red tag"
    assert [p for p in terms.pieces(text) if p[0].isalnum()] == terms.words(text)
