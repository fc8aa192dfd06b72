"""Reports the way a country's people and lost-property offices write them, generated (seeded)
for the benchmarks: many kinds of item, colours, brands, places over the Netherlands weighted by
where people are, times over a year, and owners who give a place name but no coordinates."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

# (name, latitude, longitude, share of reports): the largest cities; the rest is countryside.
CITIES = [
    ("Amsterdam", 52.37, 4.90, 0.12),
    ("Rotterdam", 51.92, 4.48, 0.08),
    ("Den Haag", 52.08, 4.30, 0.07),
    ("Utrecht", 52.09, 5.12, 0.06),
    ("Eindhoven", 51.44, 5.48, 0.04),
    ("Groningen", 53.22, 6.57, 0.03),
    ("Tilburg", 51.56, 5.09, 0.03),
    ("Breda", 51.59, 4.78, 0.03),
    ("Nijmegen", 51.84, 5.86, 0.03),
    ("Arnhem", 51.98, 5.91, 0.03),
    ("Enschede", 52.22, 6.89, 0.03),
    ("Haarlem", 52.38, 4.64, 0.02),
    ("Leiden", 52.16, 4.49, 0.02),
    ("Maastricht", 50.85, 5.69, 0.02),
    ("Zwolle", 52.52, 6.08, 0.02),
    ("Amersfoort", 52.16, 5.39, 0.02),
    ("Den Bosch", 51.69, 5.30, 0.02),
    ("Delft", 52.01, 4.36, 0.02),
]
PLACES = [
    *("central station", "tram 2", "the park", "a cafe", "the library", "platform 4"),
    *("the supermarket", "a bus stop", "the gym", "the market", "the museum", "a taxi"),
]
ITEMS = [
    ("wallet", ["wallet", "billfold", "purse"], ["leather", "with cards", "zip"]),
    ("phone", ["phone", "iPhone", "smartphone"], ["cracked screen", "in a case", "with stickers"]),
    ("keys", ["keys", "key ring", "house keys"], ["with a fob", "three keys", "bike key"]),
    ("backpack", ["backpack", "rucksack", "school bag"], ["with a laptop", "torn strap", "books"]),
    ("umbrella", ["umbrella", "brolly"], ["folding", "large", "wooden handle"]),
    ("glasses", ["glasses", "spectacles", "sunglasses"], ["in a case", "round frame", "reading"]),
    ("coat", ["coat", "jacket", "rain jacket"], ["hood", "size M", "zip pockets"]),
    ("bicycle", ["bicycle", "bike"], ["basket", "child seat", "blue bell"]),
    ("watch", ["watch", "wristwatch"], ["metal strap", "engraved back", "digital"]),
    ("headphones", ["headphones", "earbuds", "AirPods"], ["in a case", "over-ear", "wireless"]),
    ("scarf", ["scarf", "shawl"], ["wool", "striped", "long"]),
    ("passport", ["passport", "ID card", "driving licence"], ["in a cover", "expired", "Dutch"]),
    ("dog", ["dog", "puppy"], ["red collar", "small", "chip"]),
    ("ring", ["ring", "wedding ring"], ["gold", "engraved inside", "with a stone"]),
    ("laptop", ["laptop", "notebook computer"], ["in a sleeve", "stickers", "charger"]),
]
COLOURS = ["black", "blue", "red", "green", "grey", "white", "brown", "navy", "pink", "silver"]
BRANDS = [None, None, "Apple", "Samsung", "Fossil", "Nike", "Eastpak", "Ray-Ban", "Gazelle"]


@dataclass(frozen=True)
class GeneratedReport:
    kind: str
    title: str
    description: str
    category: str
    colour: str
    brand: str | None
    latitude: float | None
    longitude: float | None
    place_name: str
    occurred_at: datetime

    def body(self, contact: str, **extra: object) -> dict[str, object]:
        fields = {
            "kind": self.kind,
            "title": self.title,
            "description": self.description,
            "category": self.category,
            "colour": self.colour,
            "brand": self.brand,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "place_name": self.place_name,
            "occurred_at": self.occurred_at.isoformat(),
            "contact": contact,
            **extra,
        }
        return {key: value for key, value in fields.items() if value is not None}


def reports(
    count: int,
    seed: int,
    *,
    kind: str | None = None,
    days: float = 365,
    now: datetime | None = None,
) -> Iterator[GeneratedReport]:
    """`count` reports (of `kind`, or lost and found), over the last `days` days."""
    rng = np.random.default_rng(seed)
    now = now or datetime.now(UTC)
    shares = np.array([city[3] for city in CITIES])
    city_p = np.append(shares, 1.0 - shares.sum())
    for _ in range(count):
        lost = (rng.random() < 0.45) if kind is None else kind == "lost"
        canonical, words, details = ITEMS[rng.integers(len(ITEMS))]
        word = words[rng.integers(len(words))]
        colour = COLOURS[rng.integers(len(COLOURS))]
        brand = BRANDS[rng.integers(len(BRANDS))]
        detail = details[rng.integers(len(details))]
        place = PLACES[rng.integers(len(PLACES))]
        city_index = rng.choice(len(city_p), p=city_p)
        if city_index < len(CITIES):
            city, lat, lon, _ = CITIES[city_index]
            lat, lon = lat + rng.normal(0, 0.04), lon + rng.normal(0, 0.06)
        else:
            city = "the countryside"
            lat, lon = 50.8 + rng.random() * 2.6, 3.5 + rng.random() * 3.5
        # A third of owners give a place name only; offices and finders give coordinates.
        located = rng.random() >= (1 / 3 if lost else 0.05)
        if lost:
            title = f"Lost my {colour} {word}"
            text = f"I lost my {colour} {word} ({detail}) near {place} in {city}."
        else:
            title = f"Found {colour} {word}"
            text = f"Found a {colour} {word}, {detail}, at {place} in {city}."
        yield GeneratedReport(
            kind="lost" if lost else "found",
            title=title,
            description=text + (f" Brand: {brand}." if brand else ""),
            category=canonical if rng.random() < 0.8 else word,
            colour=colour,
            brand=brand,
            latitude=round(float(lat), 5) if located else None,
            longitude=round(float(lon), 5) if located else None,
            place_name=f"{place}, {city}",
            occurred_at=now - timedelta(days=float(rng.random() * days)),
        )
