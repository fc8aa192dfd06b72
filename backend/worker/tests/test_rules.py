"""How a report's typed fields and text become the attributes matching compares."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest

from backend.common import match_record
from backend.common.taxonomy import PACKAGED_TERMS, taxonomy
from backend.worker.worker.details import detail_scores, place_agreement
from backend.worker.worker.rules import (
    attribute_terms,
    canonical_values,
    category_codes,
    detail_text,
    details_of_held,
    held_clauses,
    held_colours,
    holdings,
    journey_ends,
    merged_attributes,
    place_names,
    reachable_groups,
    report_text,
    unsure_group,
)


def colours(colour: str | None, category: str, text: str) -> dict[str, list[str]]:
    merged = merged_attributes(
        {}, taxonomy(), colour=colour, brand=None, category=category, text=text
    )
    return {key: merged.get(key, []) for key in ("colours", "part_colours")}


def known(word: str) -> list[str]:
    return taxonomy().canonical("COLOUR", word)


def test_a_typed_colour_is_the_objects_and_the_texts_others_are_of_its_parts() -> None:
    found = colours("silver", "keys", "Silver keys with a blue tag and a red bottle opener")
    assert found["colours"] == known("silver")
    assert set(found["part_colours"]) == {*known("blue"), *known("red")}


@pytest.mark.parametrize(
    ("typed", "category", "text", "shade"),
    [
        ("pink", "watch", "Rose gold Daniel Wellington watch, white face", "rose gold"),
        ("blue", "coat", "Navy puffer jacket, Uniqlo", "navy"),
        ("grey", "laptop", "Space grey MacBook with a red sticker", "space grey"),
    ],
)
def test_a_shade_the_text_names_holding_the_typed_colour_is_the_objects(
    typed: str, category: str, text: str, shade: str
) -> None:
    # The owner picked the nearest plain colour for the shade their text names: a desk that
    # writes the shade's other colour ("gold", "black") has the same object.
    found = colours(typed, category, text)
    assert set(found["colours"]) == set(known(shade))
    assert not set(found["part_colours"]) & set(known(shade))
    if "red" in text:
        assert found["part_colours"] == known("red")  # a part's colour stays a part's


def test_a_containers_colours_stay_they_are_of_what_it_held() -> None:
    found = colours("black", "backpack", "Black backpack with a red wallet in it")
    assert set(known("red")) <= set(found["colours"])
    assert found["part_colours"] == []


def test_without_a_typed_colour_a_colour_named_of_a_part_is_the_parts() -> None:
    found = colours(None, "keys", "Found grey keys with a blue tag")
    assert found == {"colours": known("grey"), "part_colours": known("blue")}
    # Not said of a part: the text cannot tell, and all are the object's.
    assert set(colours(None, "keys", "grey and blue keys")["colours"]) >= {"grey", "blue"}


def test_a_typed_colour_the_taxonomy_does_not_know_keeps_the_texts() -> None:
    found = colours("multicolour", "scarf", "a scarf, red and green stripes")
    assert found["colours"][0] == "multicolour"
    assert set(known("red")) <= set(found["colours"])


@pytest.mark.parametrize(
    ("text", "ends"),
    [
        (
            "Left my glasses on the train from Utrecht Centraal to Eindhoven Centraal. It has a "
            "red case",
            ["Utrecht Centraal", "Eindhoven Centraal"],
        ),
        ("Sony headphones in a grey case, left on the York to Leeds train.", ["Leeds", "York"]),
        # The Dutch "in de trein van Den Haag naar Leiden", as the rewrite reads it.
        (
            "Blue coat with a fur collar, in the train of Den Haag to Leiden.",
            ["Leiden", "Den Haag"],
        ),
        ("Phone left on the bus to Newcastle upon Tyne on Monday", ["Newcastle upon Tyne"]),
        ("Black wallet found near Leeds, brought to Reception", []),  # no journey
    ],
)
def test_a_journey_names_its_ends_as_places(text: str, ends: list[str]) -> None:
    assert list(journey_ends(text)) == ends


def test_the_desk_at_a_journeys_end_agrees_in_place() -> None:
    # spaCy's small model reads both ends as people's names: NLP finds no place in the text.
    lost = detail_text(
        "Grey glasses",
        "Left my grey glasses on the train from Utrecht Centraal to Eindhoven Centraal.",
        taxonomy(),
    )
    found = detail_text("Reading glasses", "Handed in by train staff, a red hard case.", taxonomy())
    owner = place_names("Utrecht Centraal", {"places": []}, lost)
    at_the_end = place_agreement(owner, place_names("Eindhoven Centraal", {}, found))
    elsewhere = place_agreement(owner, place_names("Rotterdam Centraal", {}, found))
    # The rewrite reads the name's Dutch "Centraal" as "central": the city is what agrees.
    assert at_the_end is not None and elsewhere is not None and at_the_end > elsewhere
    assert place_agreement(owner, place_names("Utrecht Centraal", {}, found)) == 1.0


def record(category: str | None, text: str) -> np.void:
    """The match record enrichment writes for a report with this typed category and text."""
    merged = merged_attributes(
        {},
        taxonomy(),
        colour=None,
        brand=None,
        category=category,
        text=report_text(text, None, None, None, category, taxonomy()),
    )
    unsure = unsure_group(merged, category, taxonomy())
    [packed] = match_record.unpack(
        [
            match_record.pack(
                item_id=uuid.uuid4(),
                occurred_at=datetime(2026, 12, 1, tzinfo=UTC),
                latitude=None,
                longitude=None,
                attributes=merged,
                canonical_category=canonical_values(merged, taxonomy())["canonical_category"],
                vector=np.zeros(8, np.int8),
                descriptor=None,
                unsure_group=unsure,
            )
        ],
        8,
    )
    return packed


def compatibility(lost: np.void, found: np.void) -> float:
    codes = category_codes(PACKAGED_TERMS)
    return float(codes.compatibility(lost, np.array([found]))[0])


@pytest.mark.parametrize(
    ("lost", "found", "typed_alone"),
    [
        # A desk typed "rucksack" for a handbag its text names (set A's pair 17).
        (("handbag", "Black Longchamp tote"), ("rucksack", "Handbag left in taxi, nylon"), 0.15),
        # A desk typed the broad "jewellery" for an Apple watch.
        (("watch", "Apple Watch, pink band"), ("jewellery", "Found an Apple watch, pink"), 0.75),
        # The same, a Dutch desk: "rugzak" typed for "Zwarte handtas gevonden in de taxi".
        (("handbag", "Black tote"), ("rugzak", "Zwarte handtas gevonden in de taxi"), 0.15),
        # The owner typed the broad word and named the object in the text.
        (("bag", "Tote with a make-up pouch inside"), ("handbag", "Black tote found"), 0.75),
    ],
)
def test_a_category_typed_broadly_or_wrongly_agrees_with_the_one_the_other_text_names(
    lost: tuple[str, str], found: tuple[str, str], typed_alone: float
) -> None:
    vocabulary = taxonomy()
    assert vocabulary.category_compatibility(
        vocabulary.canonical("CATEGORY", lost[0])[0], vocabulary.canonical("CATEGORY", found[0])[0]
    ) == pytest.approx(typed_alone)
    assert compatibility(record(*lost), record(*found)) == 1.0
    assert compatibility(record(*found), record(*lost)) == 1.0


def test_what_a_bag_held_is_not_the_bags_category() -> None:
    # Other groups a text names are a container's contents: the contents feature reads them.
    backpack = record("backpack", "Black backpack with my wallet and keys in it")
    wallet = record("wallet", "Brown leather wallet")
    assert compatibility(backpack, wallet) == 0.0
    assert compatibility(wallet, backpack) == 0.0


def test_a_thing_a_bag_held_may_be_typed_broadly_or_narrowly() -> None:
    """The owner's bag held a "tablet"; the desk typed the find "electronics": one may have held
    the other. A sibling kind (a phone) was not named, so it was not held."""
    codes = category_codes(PACKAGED_TERMS)
    bag = record("backpack", "Blue backpack with my tablet (in a red cover) and a lunch box")
    finds = [record("electronics", "e-reader in a red cover"), record("phone", "phone")]
    held = codes.contents(bag, np.array(finds))
    assert held.tolist() == [1.0, 0.0]
    # Read from the find's side too.
    assert codes.contents(finds[0], np.array([bag])).tolist() == [1.0]


def test_an_unknown_category_says_nothing() -> None:
    assert np.isnan(compatibility(record(None, "Something I lost"), record("wallet", "wallet")))
    assert np.isnan(compatibility(record("wallet", "wallet"), record(None, "a thing")))


@pytest.mark.parametrize(
    ("category", "text", "unsure"),
    [
        # A desk named the phone's wallet case first: read as a wallet.
        (None, "Portemonneehoesje met grijze Samsung telefoon", True),
        (None, "Blue scarf wrapped round a black umbrella", True),
        ("phone", "Portemonneehoesje met grijze Samsung telefoon", False),  # typed: it stands
        (None, "Hat: black woollen scarf", False),  # several categories, one group
        (None, "Black leather wallet", False),
        (None, "Something I lost", False),
    ],
)
def test_a_category_read_from_a_text_naming_several_kinds_of_object_is_unsure(
    category: str | None, text: str, unsure: bool
) -> None:
    vocabulary = taxonomy()
    written = report_text(text, None, None, None, category, vocabulary)  # as enrichment reads
    merged = merged_attributes(
        {}, vocabulary, colour=None, brand=None, category=category, text=written
    )
    assert unsure_group(merged, category, vocabulary) is unsure
    canonical = canonical_values(merged, vocabulary, unsure=unsure)
    # "" is read by every candidate query; the category itself still scores.
    assert (canonical["match_group"] == "") is (unsure or canonical["canonical_category"] is None)


def reached(lost: np.void, found: np.void) -> bool:
    codes = category_codes(PACKAGED_TERMS)
    vocabulary = codes.vocabulary
    category = codes.category[int(lost["category"])]
    groups = reachable_groups(vocabulary.group(category), [category], vocabulary)
    assert groups is not None
    return bool(codes.reach(lost, groups, np.array([found]))[0])


def test_an_unsure_group_lets_what_the_text_names_reach_the_report() -> None:
    phone = record("phone", "Grey Samsung Galaxy, cracked screen")
    desk = "Portemonneehoesje met grijze Samsung telefoon"
    case_first = record(None, desk)  # read: wallet case with grey Samsung phone
    assert reached(phone, case_first)
    assert compatibility(phone, case_first) == 1.0
    assert compatibility(case_first, phone) == 1.0  # the same score from either side
    # Typed, the reporter's group stands.
    assert not reached(phone, record("wallet", desk))


GYM_BAG = "Grey gym bag with my trainers, a towel, a pink water bottle and a padlock in it."


def test_a_containers_text_is_read_for_each_thing_it_held() -> None:
    clauses = held_clauses(GYM_BAG, taxonomy())
    assert clauses["bottle"] == "a pink water bottle"  # from the comma to "and"
    assert clauses["lock"] == "a padlock in it"
    assert clauses["shoes"] == "with my trainers a towel"  # a towel is no category
    assert "phone" not in clauses
    # One thing named twice at once is one clause, up to the next thing's.
    earbuds = "Lost my bag: my earbuds (white, one earbud missing), my wallet and my keys"
    assert held_clauses(earbuds, taxonomy())["headphones"] == (
        "my earbuds white one earbud missing"
    )
    # Named in the title and again below: both clauses, not the suitcase's own words.
    suitcase = (
        "Suitcase with keys. Small grey trolley suitcase. The car keys (VW with a red tag) were "
        "in the front pocket."
    )
    assert held_clauses(suitcase, taxonomy())["keys"] == (
        "with keys the car keys vw with a red tag were in the front pocket"
    )


def test_a_find_of_one_thing_a_bag_held_is_read_on_what_the_bag_says_of_it() -> None:
    """The owner's tote names three things; the library book's find shares what the owner wrote
    of the book, which the rest of the text dilutes. Read either way round: a lost book and a
    found bag."""
    vocabulary = taxonomy()
    tote = detail_text(
        "Tote bag",
        "Canvas tote with a library book (The Night Circus), my reading glasses, a phone "
        "charger, a tin of mints and a blue umbrella",
        vocabulary,
    )
    books = [
        detail_text("Book", "Library book 'The Night Circus', city library sticker", vocabulary),
        detail_text("Book", "Library book, a detective novel, torn cover", vocabulary),
        detail_text("Book", "Paperback book, coffee stain on the cover", vocabulary),
        detail_text("Book", "Hardback book, a name inside the cover", vocabulary),
    ]
    said = attribute_terms({"categories": ["bag", "book"], "colours": []}, vocabulary)
    held = holdings(tote, books, ("bag", ["book"] * 4), np.ones(4, dtype=bool), vocabulary)

    plain = detail_scores(tote, books, said)
    read = details_of_held(tote, books, said, held)

    assert all(h is not None and h.mine for h in held)
    assert int(np.argmax(read)) == 0
    assert read[0] > plain[0] + 0.1
    assert np.all(read >= plain)

    # The other way round: a lost book, and the finds a bag with it among them.
    book = books[0]
    bags = [
        tote,
        detail_text("Tote bag", "Canvas tote, a lunch box and a scarf", vocabulary),
        detail_text("Rucksack", "Black rucksack, a laptop and a charger inside", vocabulary),
    ]
    other = holdings(book, bags, ("book", ["bag"] * 3), np.array([1, 0, 0]) == 1, vocabulary)
    assert other[0] is not None and not other[0].mine and other[1:] == [None, None]
    said = attribute_terms({"categories": ["book"]}, vocabulary)
    assert details_of_held(book, bags, said, other)[0] > detail_scores(book, bags, said)[0]


def test_what_a_bag_held_has_the_colour_its_text_gives_it_not_the_bags() -> None:
    vocabulary = taxonomy()
    finds = ["Water bottle, pink, dented", "Padlock, combination, brass", "Grey hoodie"]
    held = holdings(
        GYM_BAG,
        finds,
        ("bag", ["bottle", "lock", "clothing"]),
        np.array([1, 1, 0]) == 1,
        vocabulary,
    )
    colours, mine = held_colours(held, vocabulary)

    assert colours[0] == match_record.attribute_mask(vocabulary.canonical("COLOUR", "pink"))
    assert colours[1] == 0  # the padlock's clause names no colour (the bag's grey is the bag's)
    assert colours[2] == 0 and held[2] is None  # not held: read as before
    assert mine.tolist() == [True, True, False]


def test_a_place_name_names_no_colour_brand_or_kind_of_object() -> None:
    def read(text: str, place: str | None, nlp_places: list[str]) -> dict[str, Any]:
        return merged_attributes(
            {"places": nlp_places},
            taxonomy(),
            colour=None,
            brand=None,
            category="backpack",
            text=text,
            place=place,
        )

    found = read("Purple backpack found near Bethnal Green", "Bethnal Green", [])
    assert found["colours"] == known("purple")
    # Ones NLP found in the text: no ring (a thing a bag held), no Apple; a ring is one.
    on_ring_road = read("Backpack found on Ring Road", None, ["Ring Road"])
    assert "ring" not in on_ring_road["categories"]
    assert "ring" in read("Backpack with a ring in it, at Camden", None, ["Camden"])["categories"]
    at_the_store = read("Backpack left at the Apple Store Regent Street", None, ["Apple Store"])
    assert not at_the_store["brands"]
    # A colour the text names outside the place's name stands.
    both = read("Green backpack found at Bethnal Green", "Bethnal Green", ["Bethnal Green"])
    assert both["colours"] == known("green")
    # A "place" made of the taxonomy's words alone is no name.
    assert read("Black Nike backpack", None, ["Black Nike"])["colours"] == known("black")


def test_a_colour_named_of_a_part_is_not_the_objects() -> None:
    """No colour typed: the colours the text names are the object's, but those of its parts
    ("a white tick logo", "a blue and white roundel badge", "a red tag")."""
    assert colours(None, "hoodie", "Black hoodie with a white tick logo") == {
        "colours": known("black"),
        "part_colours": known("white"),
    }
    key = colours(None, "keys", "Car key, blue and white roundel badge, leather fob")
    assert key["colours"] == [] and set(key["part_colours"]) == {"blue", "white"}
    assert colours(None, "scarf", "Red and green tartan scarf")["colours"] == ["red", "green"]
    # Both the object's and a part's: the object's.
    assert colours(None, "hoodie", "Black hoodie with a black logo")["colours"] == ["black"]
