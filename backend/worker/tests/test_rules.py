"""How a report's typed fields and text become the attributes matching compares."""

from __future__ import annotations

from backend.common.taxonomy import taxonomy
from backend.worker.worker.rules import merged_attributes


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


def test_a_containers_colours_stay_they_are_of_what_it_held() -> None:
    found = colours("black", "backpack", "Black backpack with a red wallet in it")
    assert set(known("red")) <= set(found["colours"])
    assert found["part_colours"] == []


def test_without_a_typed_colour_the_text_cannot_tell_object_from_parts() -> None:
    found = colours(None, "keys", "Found grey keys with a blue tag")
    assert {*known("grey"), *known("blue")} <= set(found["colours"])


def test_a_typed_colour_the_taxonomy_does_not_know_keeps_the_texts() -> None:
    found = colours("multicolour", "scarf", "a scarf, red and green stripes")
    assert found["colours"][0] == "multicolour"
    assert set(known("red")) <= set(found["colours"])
