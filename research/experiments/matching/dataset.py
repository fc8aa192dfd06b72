"""The labelled matching data set: lost/found report pairs written the way two different people
would (synonyms, other word order, another name for the same place), plus distractors that share
a category or a colour with some pair. Seeded:
`./pants run research/experiments/matching/dataset.py` rewrites data/reports.jsonl.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "reports.jsonl"

# category: (lost nouns, found nouns)
ITEMS = {
    "wallet": (["wallet", "leather wallet", "purse"], ["wallet", "billfold", "card holder"]),
    "phone": (["phone", "smartphone", "iPhone"], ["mobile phone", "cell phone", "mobile"]),
    "keys": (
        ["keys", "set of keys", "house keys"],
        ["bunch of keys", "keys on a ring", "key ring"],
    ),
    "bag": (["backpack", "rucksack", "handbag"], ["bag", "rucksack", "backpack"]),
    "umbrella": (["umbrella", "folding umbrella"], ["umbrella", "compact umbrella"]),
    "glasses": (
        ["glasses", "sunglasses", "spectacles"],
        ["pair of glasses", "sunglasses", "specs"],
    ),
    "watch": (["watch", "wristwatch"], ["watch", "wrist watch"]),
    "headphones": (["headphones", "earbuds", "AirPods"], ["earphones", "headset", "earbuds"]),
    "laptop": (["laptop", "MacBook", "notebook computer"], ["laptop", "computer"]),
    "clothing": (["jacket", "scarf", "winter coat"], ["coat", "jacket", "scarf"]),
    "jewellery": (["ring", "bracelet", "necklace"], ["ring", "bracelet", "necklace"]),
    "toy": (["teddy bear", "stuffed toy", "doll"], ["soft toy", "plush bear", "doll"]),
    "documents": (
        ["passport", "ID card", "driving licence"],
        ["passport", "identity card", "licence"],
    ),
    "tablet": (["iPad", "tablet", "e-reader"], ["tablet", "iPad", "Kindle"]),
}
COLOURS = {
    "black": ["black", "dark"],
    "grey": ["grey", "gray", "silver"],
    "blue": ["blue", "navy"],
    "red": ["red", "crimson"],
    "brown": ["brown", "tan"],
    "green": ["green", "olive"],
    "white": ["white", "cream"],
    "pink": ["pink", "rose"],
}
RGB = {
    "black": (30, 30, 30),
    "grey": (120, 120, 130),
    "blue": (30, 60, 200),
    "red": (200, 30, 40),
    "brown": (120, 75, 40),
    "green": (40, 150, 60),
    "white": (235, 235, 230),
    "pink": (230, 120, 170),
}
DETAILS = [
    ("with a cat sticker on the back", "that has a little cat sticker"),
    ("with my initials J.K. engraved", "engraved with the letters JK"),
    ("with a cracked corner", "the corner is broken"),
    ("with a yellow tag attached", "a yellow label is tied to it"),
    ("with a torn strap", "strap is ripped"),
    ("with a photo of a dog inside", "there is a picture of a dog in it"),
    ("with a Ajax football club keychain", "has an Ajax keyring attached"),
    ("with paint stains", "some paint marks on it"),
    ("with a name label saying Emma", "label reads Emma"),
    ("with a broken zip", "the zipper does not close"),
    ("with a heart-shaped charm", "a small heart pendant hangs from it"),
    ("covered in stickers of bands", "lots of music band stickers on it"),
]
PLACES = [
    (
        "Amsterdam Centraal",
        ["the central station", "Centraal station, platform 2"],
        52.3791,
        4.9003,
    ),
    (
        "Vondelpark",
        ["the park near the museum quarter", "Vondelpark, by the pond"],
        52.3580,
        4.8686,
    ),
    ("Dam Square", ["Dam square", "the square by the Royal Palace"], 52.3731, 4.8926),
    ("Schiphol airport", ["the airport", "Schiphol arrivals hall"], 52.3105, 4.7683),
    ("the public library", ["OBA library", "the big library by the station"], 52.3760, 4.9080),
    ("tram 5", ["a tram on line 5", "the number 5 tram"], 52.3600, 4.8850),
    ("Albert Cuyp market", ["the street market", "Albert Cuypmarkt"], 52.3556, 4.8936),
    ("the Rijksmuseum", ["the museum", "Rijksmuseum entrance"], 52.3600, 4.8852),
    ("Westerpark", ["the park in the west", "Westerpark playground"], 52.3867, 4.8768),
    ("the Heineken Experience", ["the brewery museum", "Heineken building"], 52.3578, 4.8918),
]
LOST_TEMPLATES = [
    "Lost my {colour} {noun} {detail} at {place}.",
    "I left a {colour} {noun} {detail} somewhere around {place}.",
    "{Colour} {noun} lost near {place}, {detail}.",
    "Missing: {colour} {noun} {detail}. Last seen at {place}.",
]
FOUND_TEMPLATES = [
    "Found a {colour} {noun} at {place}; {detail}.",
    "Someone dropped a {colour} {noun} near {place}, {detail}.",
    "{Colour} {noun} found on {place}. {Detail}.",
    "Picked up a {noun}, {colour}, at {place} - {detail}.",
]


def _text(template: str, colour: str, noun: str, detail: str, place: str) -> str:
    return template.format(
        colour=colour,
        Colour=colour.capitalize(),
        noun=noun,
        detail=detail,
        Detail=detail[0].upper() + detail[1:],
        place=place,
    )


def build(pairs: int = 120, distractors: int = 60, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    reports: list[dict[str, Any]] = []
    categories = list(ITEMS)
    for index in range(pairs):
        category = categories[index % len(categories)]
        colour = rng.choice(list(COLOURS))
        lost_detail, found_detail = rng.choice(DETAILS)
        place, aliases, lat, lon = rng.choice(PLACES)
        lost_noun, found_noun = rng.choice(ITEMS[category][0]), rng.choice(ITEMS[category][1])
        days_ago = rng.uniform(1, 40)
        with_photo = index % 2 == 0
        pair = f"p{index:03d}"
        reports.append(
            {
                "id": f"{pair}-lost",
                "pair": pair,
                "kind": "lost",
                "category": category,
                "colour": colour if rng.random() < 0.7 else None,
                "title": f"{colour.capitalize()} {lost_noun}",
                "description": _text(
                    rng.choice(LOST_TEMPLATES), colour, lost_noun, lost_detail, place
                ),
                "latitude": lat + rng.gauss(0, 0.002),
                "longitude": lon + rng.gauss(0, 0.002),
                "days_ago": days_ago,
                "photo": (
                    {"seed": index, "rgb": RGB[colour], "turned": False} if with_photo else None
                ),
            }
        )
        found_colour = rng.choice(COLOURS[colour])
        reports.append(
            {
                "id": f"{pair}-found",
                "pair": pair,
                "kind": "found",
                "category": category if rng.random() < 0.6 else None,
                "colour": None,
                "title": f"Found {found_noun}",
                "description": _text(
                    rng.choice(FOUND_TEMPLATES),
                    found_colour,
                    found_noun,
                    found_detail,
                    rng.choice(aliases),
                ),
                "latitude": lat + rng.gauss(0, 0.003),
                "longitude": lon + rng.gauss(0, 0.003),
                "days_ago": max(0.1, days_ago - rng.uniform(0, 3)),
                "photo": (
                    {"seed": index, "rgb": RGB[colour], "turned": True}
                    if with_photo and rng.random() < 0.8
                    else None
                ),
            }
        )
    for index in range(distractors):
        category = rng.choice(categories)
        colour = rng.choice(list(COLOURS))
        _, detail = rng.choice(DETAILS)
        place, aliases, lat, lon = rng.choice(PLACES)
        noun = rng.choice(ITEMS[category][1])
        reports.append(
            {
                "id": f"d{index:03d}",
                "pair": None,
                "kind": "found",
                "category": category,
                "colour": colour,
                "title": f"Found {noun}",
                "description": _text(
                    rng.choice(FOUND_TEMPLATES), colour, noun, detail, rng.choice(aliases)
                ),
                "latitude": lat + rng.gauss(0, 0.003),
                "longitude": lon + rng.gauss(0, 0.003),
                "days_ago": rng.uniform(0.1, 40),
                "photo": (
                    {"seed": 1000 + index, "rgb": RGB[colour], "turned": False}
                    if index % 3 == 0
                    else None
                ),
            }
        )
    return reports


def load() -> list[dict[str, Any]]:
    return [json.loads(line) for line in DATA.read_text().splitlines() if line.strip()]


def main() -> None:
    DATA.parent.mkdir(parents=True, exist_ok=True)
    reports = build()
    DATA.write_text("".join(json.dumps(report, sort_keys=True) + "\n" for report in reports))
    print(f"wrote {len(reports)} reports to {DATA}")


if __name__ == "__main__":
    main()
