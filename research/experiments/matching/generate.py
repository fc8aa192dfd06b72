"""The tuning set (data/tune.json): lost and found reports with the kinds of noise reports
nobody here wrote carry, generated from templates (seeded), in Rotterdam, Utrecht, Eindhoven,
Manchester and Bristol. Parameters are chosen on this set only (fit.py); every other set is for
reporting.

Each pair names its kind of noise:
- late: the find weeks after the loss, or the loss reported weeks after the find;
- route: lost "on the train from A to B", found at B's desk;
- photo: near-twins told apart only by their photos;
- colour: the colour seen differently (navy/black, beige/white, grey/silver, ...);
- logo: a brand named on one side, its logo described on the other;
- contents: a bag reported with its contents, the desk registering one of them;
- typos: misspellings and no capitals;
- codes: a desk's shorthand (category and colour codes, a few words);
- dutch: the desk writes in Dutch.
Each pair has two near-twins (same kind of object, colour, place and days, other details) and
there are unrelated finds besides. Format as ../shared/data/matching/set-a.json, plus `noise`
per pair and an optional `photo` per report.

    ./pants run research/experiments/matching/generate.py
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "data" / "tune.json"

PLACES = {
    "Rotterdam Centraal": (51.9244, 4.4695),
    "Rotterdam Blaak": (51.9199, 4.4884),
    "Utrecht Centraal": (52.0894, 5.1101),
    "Utrecht Neude": (52.0933, 5.1197),
    "Eindhoven Centraal": (51.4430, 5.4797),
    "Strijp-S, Eindhoven": (51.4489, 5.4569),
    "Manchester Piccadilly": (53.4774, -2.2309),
    "Oxford Road, Manchester": (53.4740, -2.2421),
    "Bristol Temple Meads": (51.4493, -2.5813),
    "Clifton, Bristol": (51.4584, -2.6174),
}
ROUTES = [
    ("Rotterdam Centraal", "Utrecht Centraal"),
    ("Utrecht Centraal", "Eindhoven Centraal"),
    ("Eindhoven Centraal", "Rotterdam Centraal"),
    ("Manchester Piccadilly", "Bristol Temple Meads"),
    ("Bristol Temple Meads", "Manchester Piccadilly"),
]


@dataclass(frozen=True)
class Thing:
    category: str  # what the owner types
    words: tuple[str, ...]  # what people call it
    dutch: str
    code: str
    details: tuple[str, ...]
    dutch_details: tuple[str, ...]
    brands: tuple[str, ...] = ("",)


THINGS = [
    Thing(
        "wallet",
        ("wallet", "purse", "leather wallet"),
        "portemonnee",
        "PORT",
        (
            "a photo of two kids inside",
            "initials R.K. stamped on it",
            "a torn corner",
            "a Lidl receipt and a library card",
            "a coin pocket with a broken popper",
        ),
        (
            "foto van twee kinderen erin",
            "initialen R.K. erop",
            "hoekje gescheurd",
            "bonnetje van de Lidl en bibliotheekpas",
            "muntvakje met kapotte drukknoop",
        ),
    ),
    Thing(
        "phone",
        ("phone", "mobile", "smartphone"),
        "telefoon",
        "TEL",
        (
            "a cracked screen in the top corner",
            "a glitter case",
            "a sticker of a panda on the back",
            "a wallet case with a bus card",
            "a lock screen photo of a beach",
        ),
        (
            "barst in scherm bovenhoek",
            "glitterhoesje",
            "sticker van een panda achterop",
            "hoesje met pasjesvak en ov-kaart",
            "foto van strand op vergrendelscherm",
        ),
        ("Samsung", "Apple", ""),
    ),
    Thing(
        "keys",
        ("keys", "key", "set of keys"),
        "sleutels",
        "SLEUT",
        (
            "a bottle opener keyring",
            "a blue tag with a house number",
            "a small torch",
            "a Tesco clubcard fob",
            "a wooden letter M",
        ),
        (
            "flesopener aan de ring",
            "blauw labeltje met huisnummer",
            "klein zaklampje",
            "klantenpasje aan de ring",
            "houten letter M",
        ),
    ),
    Thing(
        "backpack",
        ("backpack", "rucksack", "school bag"),
        "rugzak",
        "TAS",
        (
            "a maths textbook inside",
            "a broken strap",
            "a name tag reading Finn",
            "a pin badge of a rocket",
            "a water bottle in the side pocket",
        ),
        (
            "wiskundeboek erin",
            "kapotte schouderband",
            "naamlabel met Finn",
            "speldje van een raket",
            "drinkfles in het zijvak",
        ),
        ("Eastpak", "Herschel", ""),
    ),
    Thing(
        "coat",
        ("coat", "jacket", "parka"),
        "jas",
        "JAS",
        (
            "a missing button",
            "a train ticket in the pocket",
            "a fur trimmed hood",
            "a name label sewn inside",
            "a coffee stain on the sleeve",
        ),
        (
            "knoop mist",
            "treinkaartje in de zak",
            "capuchon met bontrand",
            "naamlabel ingenaaid",
            "koffievlek op de mouw",
        ),
        ("The North Face", "Nike", "Zara", ""),
    ),
    Thing(
        "umbrella",
        ("umbrella", "brolly", "folding umbrella"),
        "paraplu",
        "PAR",
        (
            "a bent spoke",
            "a duck-shaped handle",
            "a strap with a popper",
            "a company logo on it",
            "a hole near the tip",
        ),
        (
            "verbogen balein",
            "handvat in de vorm van een eend",
            "bandje met drukknoop",
            "bedrijfslogo erop",
            "gaatje bij de punt",
        ),
    ),
    Thing(
        "glasses",
        ("glasses", "reading glasses", "specs"),
        "bril",
        "BRIL",
        (
            "a scratched left lens",
            "a red hard case",
            "taped arm",
            "a cleaning cloth with a shop name",
            "a chain attached",
        ),
        (
            "kras op linkerglas",
            "rood hard etui",
            "pootje met tape",
            "poetsdoekje met winkelnaam",
            "koordje eraan",
        ),
        ("Ray-Ban", ""),
    ),
    Thing(
        "headphones",
        ("headphones", "earbuds", "earphones"),
        "koptelefoon",
        "ELEK",
        (
            "a cracked charging case",
            "one earbud missing",
            "a name written on the case",
            "a foam cover missing",
            "a sticker of a cat",
        ),
        (
            "oplaaddoosje gebarsten",
            "een oortje mist",
            "naam op het doosje",
            "oorkussentje mist",
            "sticker van een kat",
        ),
        ("Sony", "Apple", "Samsung"),
    ),
    Thing(
        "laptop",
        ("laptop", "notebook computer", "computer"),
        "laptop",
        "LAPT",
        (
            "a cactus sticker",
            "a dented corner",
            "a charger wrapped with tape",
            "a university asset tag",
            "a missing key on the keyboard",
        ),
        (
            "sticker van een cactus",
            "deuk in de hoek",
            "oplader met tape",
            "inventarissticker universiteit",
            "toets mist op toetsenbord",
        ),
        ("Apple", "Dell", "Lenovo"),
    ),
    Thing(
        "watch",
        ("watch", "wristwatch", "sports watch"),
        "horloge",
        "HORL",
        (
            "an engraving on the back",
            "a scratched glass",
            "a leather strap with a new hole",
            "a Garmin charger clip",
            "a pink strap",
        ),
        (
            "gravering op de achterkant",
            "kras op het glas",
            "leren bandje met extra gaatje",
            "oplaadclip erbij",
            "roze bandje",
        ),
        ("Casio", "Garmin", "Fossil"),
    ),
    Thing(
        "shoes",
        ("trainers", "shoes", "sneakers"),
        "schoenen",
        "SCHOEN",
        (
            "odd laces",
            "a muddy left heel",
            "size 38 written inside",
            "insoles from a pharmacy",
            "a velcro strap",
        ),
        (
            "verschillende veters",
            "modder op linkerhak",
            "maat 38 binnenin",
            "inlegzolen",
            "klittenband",
        ),
        ("Nike", "Adidas", ""),
    ),
    Thing(
        "bicycle",
        ("bike", "bicycle", "city bike"),
        "fiets",
        "FTS",
        (
            "a wicker basket",
            "a child seat",
            "a broken bell",
            "a sticker of a football club",
            "a frame bag",
        ),
        (
            "rieten mandje",
            "kinderzitje",
            "kapotte bel",
            "sticker van een voetbalclub",
            "frametasje",
        ),
        ("Gazelle", "Batavus", "Sparta"),
    ),
    Thing(
        "scarf",
        ("scarf", "shawl", "knitted scarf"),
        "sjaal",
        "KL",
        ("tassels at the ends", "a moth hole", "a name tag", "a tartan pattern", "hand knitted"),
        (
            "franjes aan de uiteinden",
            "mottengaatje",
            "naamlabeltje",
            "ruitjespatroon",
            "zelfgebreid",
        ),
    ),
]

COLOURS = [
    # (owner's word, finder's word seen differently, Dutch, desk code)
    ("black", "dark", "zwart", "ZW"),
    ("navy", "black", "donkerblauw", "DBL"),
    ("blue", "navy", "blauw", "BL"),
    ("beige", "white", "beige", "BG"),
    ("white", "cream", "wit", "WT"),
    ("grey", "silver", "grijs", "GR"),
    ("silver", "grey", "zilver", "ZV"),
    ("red", "burgundy", "rood", "RD"),
    ("green", "khaki", "groen", "GN"),
    ("brown", "tan", "bruin", "BR"),
    ("pink", "coral", "roze", "RZ"),
]
COLOUR_RGB = {
    "black": (25, 25, 25),
    "navy": (20, 30, 90),
    "blue": (30, 70, 200),
    "beige": (220, 200, 160),
    "white": (235, 235, 235),
    "grey": (130, 130, 130),
    "silver": (180, 180, 185),
    "red": (200, 30, 30),
    "green": (40, 140, 50),
    "brown": (120, 70, 30),
    "pink": (230, 120, 170),
}
LOGOS = {
    "Nike": "the swoosh tick",
    "Adidas": "three stripes",
    "Apple": "the bitten apple logo",
    "The North Face": "the half dome logo",
    "Samsung": "Galaxy written on it",
}
KINDS = ["late", "route", "photo", "colour", "logo", "contents", "typos", "codes", "dutch"]


class Writer:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def pick(self, options: Any) -> Any:
        return self.rng.choice(list(options))

    def typo(self, text: str) -> str:
        """A hurried phone: letters dropped, doubled or swapped; no capitals."""
        words = []
        for word in text.lower().split():
            if len(word) >= 4 and word.isalpha() and self.rng.random() < 0.35:
                i = self.rng.randrange(1, len(word) - 1)
                edit = self.rng.choice(["drop", "double", "swap", "vowel"])
                if edit == "drop":
                    word = word[:i] + word[i + 1 :]
                elif edit == "double":
                    word = word[:i] + word[i] + word[i:]
                elif edit == "swap":
                    word = word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
                else:
                    word = word[:i] + self.rng.choice("aeiou") + word[i + 1 :]
            words.append(word)
        return " ".join(words).replace(".", "")


def report(
    kind: str,
    title: str,
    description: str,
    category: str,
    colour: str,
    brand: str,
    place: str,
    day: int,
    *,
    coords: bool = True,
    near: bool = True,
    photo: dict[str, Any] | None = None,
) -> dict[str, Any]:
    lat, lon = PLACES[place]
    if coords and near:  # a few hundred metres from the named place
        lat, lon = lat + random.uniform(-0.003, 0.003), lon + random.uniform(-0.004, 0.004)
    return {
        "kind": kind,
        "title": title,
        "description": description,
        "category": category,
        "colour": colour,
        "brand": brand,
        "place": place,
        "lat": round(lat, 5) if coords else None,
        "lon": round(lon, 5) if coords else None,
        "day": day,
        **({"photo": photo} if photo else {}),
    }


def generate(seed: int = 23, pairs_per_kind: int = 10, unrelated: int = 500) -> dict[str, Any]:
    random.seed(seed)
    w = Writer(seed)
    pairs: list[dict[str, Any]] = []
    distractors: list[dict[str, Any]] = []
    for kind in KINDS:
        for _ in range(pairs_per_kind):
            thing = w.pick(THINGS)
            if kind == "logo":
                thing = w.pick([t for t in THINGS if set(t.brands) & set(LOGOS)])
            if kind == "contents":
                thing = w.pick(
                    [
                        t
                        for t in THINGS
                        if t.category in ("wallet", "phone", "keys", "glasses", "headphones")
                    ]
                )
            own, seen, dutch_colour, colour_code = w.pick(COLOURS)
            brand = w.pick(thing.brands)
            if kind == "logo":
                brand = w.pick([b for b in thing.brands if b in LOGOS])
            # The owner names two details, the finder one of them; each twin another detail.
            d1, d2, d3, d4 = w.rng.sample(range(len(thing.details)), 4)
            place = w.pick(PLACES)
            day = w.rng.randrange(0, 20)
            # Most finds are handed in within days, some within weeks (as desks see them).
            later = day + min(int(w.rng.expovariate(1 / 5)), 21)
            coords = w.rng.random() > 0.3
            photo = {"seed": w.rng.randrange(10**6), "rgb": COLOUR_RGB[own], "turned": False}
            word = w.pick(thing.words)
            lost = report(
                "lost",
                f"{own.capitalize()} {brand + ' ' if brand else ''}{word}".strip(),
                f"Lost my {own} {word}{' from ' + brand if brand else ''}. It has "
                f"{thing.details[d1]} and {thing.details[d2]}.",
                thing.category,
                own,
                brand,
                place,
                day,
                coords=coords,
                photo=photo if kind == "photo" else None,
            )
            fword = w.pick(thing.words)
            found_place, found_day = place, later
            category = w.pick(["", thing.category, fword])
            template = w.rng.randrange(3)
            if kind == "late":
                found_day = day + w.rng.choice([w.rng.randrange(22, 43), -w.rng.randrange(7, 43)])
            elif kind == "route":
                start, end = w.pick(ROUTES)
                lost.update(
                    report(
                        "lost",
                        lost["title"],
                        f"Left my {own} {word} on the train from {start} to {end}. It has "
                        f"{thing.details[d1]} and {thing.details[d2]}.",
                        thing.category,
                        own,
                        brand,
                        start,
                        day,
                        coords=coords,
                        near=False,
                    )
                )
                found_place = end
            elif kind == "contents":
                bag = w.pick(["backpack", "handbag", "sports bag", "tote bag"])
                others = w.rng.sample([t for t in THINGS if t is not thing][:6], 2)
                lost.update(
                    report(
                        "lost",
                        f"{own.capitalize()} {bag}",
                        f"Lost my {bag} with everything in it: my {word} ({own}, "
                        f"{thing.details[d1]}), my {others[0].words[0]} and "
                        f"my {others[1].words[0]}.",
                        "bag",
                        w.pick(["black", "brown", "blue"]),
                        "",
                        place,
                        day,
                        coords=coords,
                    )
                )

            def written(detail: int) -> tuple[str, str, str, str, str]:
                """(title, text, category, colour, brand) of a find with `detail`, as the
                finder of this kind of noise writes it."""
                said = thing.details[detail]
                title = f"{fword.capitalize()} found"
                text = f"Found a {own} {fword}{', ' + brand if brand else ''}, {said}."
                typed, colour, fbrand = category, own, brand
                if kind == "route":
                    title = fword.capitalize()
                    text = f"{fword.capitalize()} handed in by train staff, {said}."
                elif kind == "colour":
                    colour = seen
                    text = f"Found a {seen} {fword}{', ' + brand if brand else ''}, {said}."
                elif kind == "logo":
                    fbrand = ""
                    text = f"Found a {own} {fword} with {LOGOS[brand]} on it, {said}."
                elif kind == "typos":
                    title, text = w.typo(title), w.typo(text)
                    typed, colour = w.typo(category or fword), w.typo(own)
                elif kind == "codes":
                    title = f"{thing.code} {colour_code}{' ' + brand.upper()[:4] if brand else ''}"
                    text = f"{thing.code} {colour_code}, {thing.dutch_details[detail]}"
                    typed, colour = thing.code, colour_code
                elif kind == "dutch":
                    dutch_said = thing.dutch_details[detail]
                    title = f"{dutch_colour.capitalize()} {thing.dutch}"
                    text = [
                        f"{dutch_colour.capitalize()} {thing.dutch} aangetroffen, {dutch_said}.",
                        f"Gevonden: {thing.dutch} ({dutch_colour}), {dutch_said}.",
                        f"Er is een {dutch_colour} {thing.dutch} afgegeven bij de balie. "
                        f"{dutch_said.capitalize()}.",
                    ][template]
                    typed, colour = thing.dutch, dutch_colour
                return title, text, typed, colour, fbrand

            title, text, typed, colour, fbrand = written(d1)
            found = report(
                "found",
                title,
                text,
                typed,
                colour,
                fbrand,
                found_place,
                found_day,
                coords=w.rng.random() > 0.15,
                photo={**photo, "turned": True} if kind == "photo" else None,
            )
            pair = {"id": len(pairs), "noise": kind, "lost": lost, "found": found}
            pairs.append(pair)
            # Near-twins: other objects of the same kind, often typed in the owner's very
            # words (category, colour, brand) at the owner's place, found any day of the next
            # three weeks: their fields agree with the loss as well as the truth's or better;
            # only the details (or the photo) tell them apart.
            for n, twin_detail in enumerate((d3, d4)):
                title, text, typed, colour, fbrand = written(twin_detail)
                twin_place, twin_day = found_place, day + w.rng.randrange(0, 22)
                if n == 0:
                    title = f"{own.capitalize()} {word} found"
                    said = thing.details[twin_detail]
                    text = f"{own.capitalize()} {word}{', ' + brand if brand else ''}, {said}."
                    typed, colour, fbrand = thing.category, own, brand
                    twin_place = place if kind != "route" else found_place
                twin_photo = None
                if kind == "photo":  # the truth's words: only the picture differs
                    title, text = found["title"], found["description"]
                    twin_day = found_day + w.rng.randrange(-1, 2)
                    twin_photo = {
                        "seed": w.rng.randrange(10**6),
                        "rgb": COLOUR_RGB[own],
                        "turned": True,
                    }
                twin = report(
                    "found",
                    title,
                    text,
                    typed,
                    colour,
                    fbrand,
                    twin_place,
                    twin_day,
                    photo=twin_photo,
                )
                distractors.append({**twin, "twin_of": pair["id"]})
    for _ in range(unrelated):
        thing = w.pick(THINGS)
        own = w.pick(COLOURS)[0]
        brand = w.pick(thing.brands)
        word = w.pick(thing.words)
        detail = w.pick(thing.details)
        distractors.append(
            report(
                "found",
                f"{own.capitalize()} {word} found",
                f"{own.capitalize()} {word}{', ' + brand if brand else ''}, {detail}.",
                w.pick(["", thing.category]),
                own,
                brand,
                w.pick(PLACES),
                w.rng.randrange(-10, 60),
            )
        )
    return {"pairs": pairs, "distractors": distractors}


def main() -> None:
    data = generate()
    OUT.write_text(json.dumps(data, indent=1, ensure_ascii=False))
    print(f"wrote {len(data['pairs'])} pairs and {len(data['distractors'])} other finds to {OUT}")


if __name__ == "__main__":
    main()
