"""The labelled matching data sets, seeded: lost/found pairs written the way two different people
write them, near-twins of every pair, and unrelated found reports.

`noisy` (the one the worker's defaults are chosen on) carries the noise real reports carry:
- finders name the category in their own word, a plural, a broader word ("jewellery",
  "electronics", "clothing"), or leave it empty;
- colours in shades and other spellings (charcoal, navy, tan, lilac, off-white, metallic, gray);
- a third of owners give a place name but no coordinates;
- found reports arrive 0-21 days after the loss; one loss in six is reported after the find;
- three near-twins per pair: found at the same place within days, same category, colour and
  brand, differing only in what identifies the object (engraving, stickers, contents, damage).
`clean` is the same objects with every field filled with the same word on both sides, no
twins, coordinates everywhere: what the matching did well before.

`./pants run research/experiments/matching/dataset.py` rewrites data/{noisy,clean}.jsonl.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"

# canonical category: (owner's words, finder's words, broader words a finder may use, brands)
ITEMS: dict[str, tuple[list[str], list[str], list[str], list[str]]] = {
    "wallet": (
        ["wallet", "leather wallet", "purse"],
        ["billfold", "card holder", "wallets"],
        ["accessories"],
        ["Fossil", "Gucci", ""],
    ),
    "phone": (
        ["phone", "smartphone", "iPhone"],
        ["mobile phone", "cell phone", "mobiles"],
        ["electronics"],
        ["Samsung", "Apple", ""],
    ),
    "keys": (["keys", "house keys", "car key"], ["key", "bunch of keys", "keyring"], [], [""]),
    "backpack": (
        ["backpack", "bag", "school bag"],
        ["rucksack", "rucksacks", "daypack"],
        ["bag", "luggage"],
        ["Eastpak", "North Face", ""],
    ),
    "umbrella": (["umbrella", "folding umbrella"], ["brolly", "umbrellas"], [], [""]),
    "glasses": (
        ["glasses", "reading glasses"],
        ["spectacles", "specs", "eyeglasses"],
        ["accessories"],
        ["Ray-Ban", ""],
    ),
    "watch": (
        ["watch", "wristwatch"],
        ["wrist watch", "watches"],
        ["jewellery"],
        ["Casio", "Fossil", ""],
    ),
    "headphones": (
        ["earbuds", "AirPods", "headphones"],
        ["earphones", "headset", "headphone"],
        ["electronics"],
        ["Sony", "Apple", ""],
    ),
    "laptop": (
        ["laptop", "MacBook"],
        ["notebook computer", "laptops", "computer"],
        ["electronics"],
        ["Apple", ""],
    ),
    "coat": (
        ["coat", "winter coat", "jacket"],
        ["jacket", "parka", "coats"],
        ["clothing"],
        ["North Face", "Nike", ""],
    ),
    "ring": (["ring", "wedding ring"], ["rings", "engagement ring"], ["jewellery"], [""]),
    "teddy": (
        ["teddy bear", "soft toy"],
        ["plush bear", "stuffed toy", "teddy"],
        ["toy", "toys"],
        [""],
    ),
    "passport": (["passport"], ["passports"], ["documents", "papers"], [""]),
    "tablet": (
        ["iPad", "tablet"],
        ["tablets", "e-reader"],
        ["electronics"],
        ["Apple", "Samsung", ""],
    ),
    "scarf": (["scarf", "wool scarf"], ["scarves", "scarf"], ["clothing", "clothes"], [""]),
}
# canonical colour: (owner's words, finder's words: shades and other spellings)
COLOURS = {
    "black": (["black"], ["black", "charcoal", "dark", "jet black"]),
    "grey": (["grey", "silver"], ["gray", "metallic", "charcoal", "silvery"]),
    "blue": (["blue", "navy"], ["navy", "dark blue", "navy blue", "turquoise"]),
    "red": (["red"], ["crimson", "burgundy", "maroon"]),
    "brown": (["brown"], ["tan", "beige", "camel"]),
    "white": (["white"], ["off-white", "cream", "ivory"]),
    "purple": (["purple"], ["lilac", "violet", "lavender"]),
    "green": (["green"], ["olive", "dark green", "khaki"]),
}
RGB = {
    "black": (30, 30, 30),
    "grey": (120, 120, 130),
    "blue": (30, 60, 200),
    "red": (200, 30, 40),
    "brown": (120, 75, 40),
    "white": (235, 235, 230),
    "purple": (140, 80, 190),
    "green": (40, 150, 60),
}
# What identifies one object: (how the owner says it, how the finder says it), with a filler
# that makes it this object's ({x}: a word from FILLERS), so two objects rarely share one. Most
# pairs share a word or its stem; some share none (then only the text embedding can tell).
DETAILS = [
    ("with a {x} sticker on the back", "that has a little {x} sticker"),
    ("with my initials {i} engraved", "engraved with the letters {j}"),
    ("with a cracked corner and a {x} keyring", "the corner is broken off, {x} keyring attached"),
    ("with a {c} tag attached", "a {c} tag is tied to it"),
    ("with a torn strap and a {x} badge", "strap is ripped, a {x} badge on it"),
    ("with a photo of a {x} inside", "there is a photo of a {x} in it"),
    ("with a {x} keychain", "has a {x} keychain attached"),
    ("with {c} paint stains", "some {c} paint stains on it"),
    ("with a name label saying {n}", "label reads {n}"),
    ("with a broken zip and a {x} patch", "the zipper does not close; it has a {x} patch"),
    ("with a {x}-shaped charm", "a small {x} charm hangs from it"),
    ("covered in {x} stickers", "lots of {x} stickers on it"),
    ("with a {c} ribbon tied on", "a {c} ribbon is tied around it"),
    ("with a library card for {n} inside", "a library card in the name of {n} was inside"),
    ("with a scratch across the front", "scratched across the front"),
    ("with a {c} star painted on it", "someone painted a {c} star on it"),
    ("with a bent clasp", "the clasp is bent"),
    ("with a missing button", "one button has come off"),
]
FILLERS = {
    "x": [
        "cat",
        "dog",
        "owl",
        "fox",
        "rocket",
        "cactus",
        "anchor",
        "panda",
        "guitar",
        "tulip",
        "windmill",
        "dolphin",
        "pineapple",
        "unicorn",
        "bicycle",
        "lighthouse",
        "dragon",
        "penguin",
        "strawberry",
        "mushroom",
        "Ajax",
        "Feyenoord",
        "Batman",
        "Pikachu",
    ],
    "c": ["yellow", "orange", "purple", "pink", "neon green", "gold", "turquoise", "silver"],
    "n": [
        "Emma",
        "Noah",
        "Sophie",
        "Daan",
        "Julia",
        "Liam",
        "Mila",
        "Sem",
        "Tess",
        "Lucas",
        "Zoe",
        "Finn",
        "Sara",
        "Levi",
        "Anna",
        "Milan",
    ],
}


def _detail(rng: random.Random) -> tuple[str, str]:
    owner, finder = rng.choice(DETAILS)
    letters = "".join(rng.sample("ABDEGHJKLMNPRSTVW", 2))
    fill = {key: rng.choice(values) for key, values in FILLERS.items()}
    fill |= {"i": ".".join(letters) + ".", "j": letters}
    return owner.format(**fill), finder.format(**fill)


PLACES = [
    ("Amsterdam Centraal", ["Centraal station", "Amsterdam Centraal, platform 2"], 52.3791, 4.9003),
    ("Vondelpark", ["Vondelpark, by the pond", "the Vondelpark"], 52.3580, 4.8686),
    ("Dam Square", ["Dam square", "Dam square, by the palace"], 52.3731, 4.8926),
    ("Schiphol airport", ["Schiphol arrivals hall", "Schiphol"], 52.3105, 4.7683),
    ("OBA library", ["the OBA library", "OBA central library"], 52.3760, 4.9080),
    ("Albert Cuyp market", ["Albert Cuyp", "Albert Cuypmarkt"], 52.3556, 4.8936),
    ("Rijksmuseum", ["Rijksmuseum entrance", "the Rijksmuseum"], 52.3600, 4.8852),
    ("Westerpark", ["Westerpark playground", "the Westerpark"], 52.3867, 4.8768),
    ("Rotterdam Centraal", ["Rotterdam Centraal station", "Rotterdam Centraal"], 51.9249, 4.4690),
    ("Utrecht Centraal", ["Utrecht Centraal, hall", "Utrecht Centraal"], 52.0894, 5.1101),
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
    "{Colour} {noun} found at {place}. {Detail}.",
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


def _report(ident: str, pair: str | None, kind: str, **fields: Any) -> dict[str, Any]:
    report = {
        "id": ident,
        "pair": pair,
        "kind": kind,
        "category": None,
        "colour": None,
        "brand": None,
        "latitude": None,
        "longitude": None,
        "place_name": None,
        "photo": None,
    }
    report.update(fields)
    return report


def _finder_category(rng: random.Random, category: str, noisy: bool) -> str | None:
    if not noisy:
        return category
    own, broader = ITEMS[category][1], ITEMS[category][2]
    roll = rng.random()
    if roll < 0.2:
        return None  # left empty
    if roll < 0.45 and broader:
        return rng.choice(broader)
    return rng.choice(own)


def build(
    noisy: bool, pairs: int = 90, distractors: int = 300, seed: int = 12
) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    reports: list[dict[str, Any]] = []
    categories = list(ITEMS)
    for index in range(pairs):
        category = categories[index % len(categories)]
        colour = rng.choice(list(COLOURS))
        brand = rng.choice(ITEMS[category][3]) or None
        # The pair's own detail, then one for each near-twin: never the same as another's.
        details = [_detail(rng)]
        while len(details) < 4:
            if (candidate := _detail(rng)) not in details:
                details.append(candidate)
        place, aliases, lat, lon = rng.choice(PLACES)
        lost_days_ago = rng.uniform(3, 60)
        if noisy and rng.random() < 1 / 6:  # the owner noticed late: the find came first
            found_days_ago = lost_days_ago + rng.uniform(0.1, 3)
        else:
            found_days_ago = max(0.05, lost_days_ago - rng.uniform(0, 21 if noisy else 3))
        owner_noun = rng.choice(ITEMS[category][0])
        finder_noun = rng.choice(ITEMS[category][1]) if noisy else owner_noun
        owner_colour = rng.choice(COLOURS[colour][0])
        finder_colour = rng.choice(COLOURS[colour][1]) if noisy else owner_colour
        without_coordinates = noisy and rng.random() < 1 / 3
        with_photo = index % 2 == 0
        pair = f"p{index:03d}"
        owner_typed = category if not noisy else rng.choice([*ITEMS[category][0][:2], category])
        reports.append(
            _report(
                f"{pair}-lost",
                pair,
                "lost",
                category=owner_typed,
                colour=owner_colour if rng.random() < 0.8 else None,
                brand=brand,
                title=f"{owner_colour.capitalize()} {brand + ' ' if brand else ''}{owner_noun}",
                description=_text(
                    rng.choice(LOST_TEMPLATES), owner_colour, owner_noun, details[0][0], place
                ),
                latitude=None if without_coordinates else lat + rng.gauss(0, 0.002),
                longitude=None if without_coordinates else lon + rng.gauss(0, 0.002),
                place_name=place,
                days_ago=lost_days_ago,
                photo={"seed": index, "rgb": RGB[colour], "turned": False} if with_photo else None,
            )
        )
        finder_place = rng.choice(aliases) if noisy else place
        found_lat, found_lon = lat + rng.gauss(0, 0.003), lon + rng.gauss(0, 0.003)
        reports.append(
            _report(
                f"{pair}-found",
                pair,
                "found",
                category=_finder_category(rng, category, noisy),
                colour=finder_colour if rng.random() < 0.5 else None,
                brand=brand if rng.random() < 0.5 else None,
                title=f"Found {finder_noun}",
                description=_text(
                    rng.choice(FOUND_TEMPLATES),
                    finder_colour,
                    finder_noun,
                    details[0][1],
                    finder_place,
                ),
                latitude=found_lat,
                longitude=found_lon,
                place_name=finder_place,
                days_ago=found_days_ago,
                photo=(
                    {"seed": index, "rgb": RGB[colour], "turned": True}
                    if with_photo and rng.random() < 0.8
                    else None
                ),
            )
        )
        if not noisy:
            continue
        for twin, (_, detail) in enumerate(details[1:]):
            twin_noun = rng.choice(ITEMS[category][1])
            twin_colour = rng.choice(COLOURS[colour][1])
            reports.append(
                _report(
                    f"{pair}-twin{twin}",
                    None,
                    "found",
                    category=_finder_category(rng, category, noisy),
                    colour=twin_colour if rng.random() < 0.5 else None,
                    brand=brand if rng.random() < 0.5 else None,
                    title=f"Found {twin_noun}",
                    description=_text(
                        rng.choice(FOUND_TEMPLATES),
                        twin_colour,
                        twin_noun,
                        detail,
                        rng.choice(aliases),
                    ),
                    latitude=lat + rng.gauss(0, 0.003),
                    longitude=lon + rng.gauss(0, 0.003),
                    place_name=rng.choice(aliases),
                    days_ago=max(0.05, found_days_ago + rng.uniform(-3, 3)),
                    # Same model, same colour: a photo does not tell twins apart.
                    photo=(
                        {"seed": index, "rgb": RGB[colour], "turned": bool(twin % 2)}
                        if with_photo and rng.random() < 0.5
                        else None
                    ),
                )
            )
    for index in range(distractors):
        category = rng.choice(categories)
        colour = rng.choice(list(COLOURS))
        _, detail = _detail(rng)
        place, aliases, lat, lon = rng.choice(PLACES)
        noun = rng.choice(ITEMS[category][1])
        shade = rng.choice(COLOURS[colour][1]) if noisy else colour
        reports.append(
            _report(
                f"d{index:03d}",
                None,
                "found",
                category=_finder_category(rng, category, noisy),
                colour=shade if rng.random() < 0.5 else None,
                title=f"Found {noun}",
                description=_text(
                    rng.choice(FOUND_TEMPLATES), shade, noun, detail, rng.choice(aliases)
                ),
                latitude=lat + rng.gauss(0, 0.003),
                longitude=lon + rng.gauss(0, 0.003),
                place_name=rng.choice(aliases),
                days_ago=rng.uniform(0.05, 60),
                photo=(
                    {"seed": 1000 + index, "rgb": RGB[colour], "turned": False}
                    if index % 3 == 0
                    else None
                ),
            )
        )
    return reports


def load(name: str = "noisy") -> list[dict[str, Any]]:
    path = DATA / f"{name}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def main() -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    for name, noisy in (("noisy", True), ("clean", False)):
        reports = build(noisy)
        path = DATA / f"{name}.jsonl"
        path.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in reports))
        print(f"wrote {len(reports)} reports to {path}")


if __name__ == "__main__":
    main()
